// Every HistoryStore method against a real SQLite file: what goes in comes back out, and survives
// closing and reopening the store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type SqliteStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { expectStoreError, steppingClock, tempDir } from './helpers.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = tempDir();
  store = openStore(dir, { now: steppingClock() });
});

afterEach(() => {
  store.close();
});

/** Closes and reopens the store, to prove the data is on disk. */
function reopen(): SqliteStore {
  store.close();
  store = openStore(dir, { now: steppingClock(Date.parse('2026-01-01T00:00:00.000Z')) });
  return store;
}

describe('releases', () => {
  it('create, get and finish', () => {
    const created = store.createRelease({ id: 'r1', workspace: '/repo', base: 'main', head: 'abc123', summary: '3 projects' });
    expect(created).toEqual({
      id: 'r1',
      kind: 'release',
      workspace: '/repo',
      base: 'main',
      head: 'abc123',
      status: 'planned',
      createdAt: '2025-01-01T00:00:01.000Z',
      finishedAt: null,
      summary: '3 projects',
    });
    expect(store.createRelease({ id: 'r2', workspace: '/repo', base: null, head: null, status: 'running' })).toMatchObject({
      status: 'running',
      summary: null,
      base: null,
    });

    expect(store.finishRelease('r1', 'running')).toMatchObject({ status: 'running', finishedAt: null });
    const finished = store.finishRelease('r1', 'succeeded', '2025-02-03T04:05:06Z');
    expect(finished).toMatchObject({ status: 'succeeded', finishedAt: '2025-02-03T04:05:06.000Z' });

    reopen();
    expect(store.getRelease('r1')).toEqual(finished);
    expect(store.getRelease('nope')).toBeNull();
  });

  it('keeps the kind of run: a build-and-test run on its own is not a release', () => {
    store.createRelease({ id: 'b1', kind: 'build', workspace: '/repo', base: null, head: 'abc' });
    reopen();
    expect(store.getRelease('b1')).toMatchObject({ kind: 'build' });
  });

  it('reject duplicate ids and unknown releases with clear errors', () => {
    store.createRelease({ id: 'dup', workspace: '/repo', base: null, head: null });
    expect(expectStoreError(() => store.createRelease({ id: 'dup', workspace: '/x', base: null, head: null }), 'STORE_ERROR').message).toMatch(/"dup" already exists/);
    expect(expectStoreError(() => store.finishRelease('ghost', 'failed'), 'STORE_ERROR').message).toMatch(/No release with id "ghost"/);
    expect(expectStoreError(() => store.finishRelease('dup', 'failed', 'not a date'), 'STORE_ERROR').message).toMatch(/not a valid timestamp/);
    expect(store.getRelease('dup')?.status).toBe('planned');
  });

  it('list newest first, with a limit and a before cursor', () => {
    for (let i = 1; i <= 7; i++) store.createRelease({ id: `r${i}`, workspace: '/repo', base: null, head: `h${i}` });
    reopen();
    expect(store.listReleases({ limit: 100 }).map((r) => r.id)).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    const page1 = store.listReleases({ limit: 3 });
    expect(page1.map((r) => r.id)).toEqual(['r7', 'r6', 'r5']);
    const page2 = store.listReleases({ limit: 3, before: page1[2]!.createdAt });
    expect(page2.map((r) => r.id)).toEqual(['r4', 'r3', 'r2']);
    const page3 = store.listReleases({ limit: 3, before: page2[2]!.createdAt });
    expect(page3.map((r) => r.id)).toEqual(['r1']);
    expect(store.listReleases({ limit: 0 })).toEqual([]);
  });

  it('break createdAt ties by insertion order', () => {
    const fixed = new Date('2025-06-01T00:00:00.000Z');
    store.close();
    store = openStore(dir, { now: () => fixed });
    for (const id of ['a', 'b', 'c']) store.createRelease({ id, workspace: '/repo', base: null, head: null });
    expect(store.listReleases({ limit: 10 }).map((r) => r.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('stages and steps', () => {
  it('start and finish stages', () => {
    store.createRelease({ id: 'r1', workspace: '/repo', base: null, head: null });
    const build = store.startStage({ releaseId: 'r1', name: 'build', id: 'r1:build' });
    expect(build).toMatchObject({ id: 'r1:build', releaseId: 'r1', name: 'build', status: 'running', finishedAt: null });
    const deploy = store.startStage({ releaseId: 'r1', name: 'deploy' });
    expect(deploy.id).toMatch(/^[0-9a-f-]{36}$/);

    expect(store.finishStage('r1:build', 'succeeded')).toMatchObject({ status: 'succeeded', finishedAt: expect.any(String) });
    expect(expectStoreError(() => store.finishStage('r1:build', 'failed'), 'STORE_ERROR').message).toMatch(/already finished \(succeeded\)/);
    expectStoreError(() => store.finishStage('nope', 'failed'), 'STORE_ERROR');
    expectStoreError(() => store.startStage({ releaseId: 'ghost', name: 'x' }), 'STORE_ERROR');

    reopen();
    expect(store.listStages('r1').map((s) => [s.name, s.status])).toEqual([
      ['build', 'succeeded'],
      ['deploy', 'running'],
    ]);
  });

  it('record an intent before and its result after, in one row', () => {
    store.createRelease({ id: 'r1', workspace: '/repo', base: null, head: null });
    const stage = store.startStage({ releaseId: 'r1', name: 'deploy' });
    const detail = { image: 'registry/catalog:1.2.3', args: ['--force', 1, true, null], nested: { a: [1, 2] } };
    const id = store.recordIntent({ releaseId: 'r1', stageId: stage.id, kind: 'k8s.apply', target: 'staging/catalog', detail });
    const other = store.recordIntent({ releaseId: 'r1', kind: 'git.tag', target: 'v1', detail: 'tag' });
    expect(other).toBeGreaterThan(id);

    // Before the result: the intent is durable and visibly unfinished.
    reopen();
    const [pending] = store.listSteps('r1');
    expect(pending).toMatchObject({ id, stageId: stage.id, kind: 'k8s.apply', target: 'staging/catalog', detail, finishedAt: null, ok: null, result: null });

    const done = store.recordResult(id, { ok: true, detail: { revision: 7 } });
    expect(done).toMatchObject({ id, ok: true, result: { revision: 7 }, finishedAt: expect.any(String) });
    store.recordResult(other, { ok: false, detail: { error: 'exists' } });
    expect(expectStoreError(() => store.recordResult(id, { ok: false, detail: null }), 'STORE_ERROR').message).toMatch(/already has a result/);
    expectStoreError(() => store.recordResult(9999, { ok: true, detail: null }), 'STORE_ERROR');

    reopen();
    const steps = store.listSteps('r1');
    expect(steps.map((s) => [s.kind, s.ok, s.result])).toEqual([
      ['k8s.apply', true, { revision: 7 }],
      ['git.tag', false, { error: 'exists' }],
    ]);
    expect(steps[0]!.finishedAt! >= steps[0]!.startedAt).toBe(true);
  });
});

describe('events', () => {
  it('append and list per release, oldest first, with JSON payloads', () => {
    store.createRelease({ id: 'r1', workspace: '/repo', base: null, head: null });
    store.createRelease({ id: 'r2', workspace: '/repo', base: null, head: null });
    const e1 = store.appendEvent('r1', 'release.started', { projects: ['a', 'b'] });
    store.appendEvent('r2', 'release.started', {});
    store.appendEvent(null, 'app.started', { version: '0.1.0' });
    const e3 = store.appendEvent('r1', 'release.finished', { ok: true, n: 1.5 });
    expect(e3.id).toBeGreaterThan(e1.id);
    expect(e1).toMatchObject({ releaseId: 'r1', name: 'release.started', payload: { projects: ['a', 'b'] } });

    reopen();
    expect(store.listEvents('r1').map((e) => [e.name, e.payload])).toEqual([
      ['release.started', { projects: ['a', 'b'] }],
      ['release.finished', { ok: true, n: 1.5 }],
    ]);
    expect(store.listEvents(null).map((e) => e.name)).toEqual(['app.started']);
    expect(store.listEvents('r1')[0]).toEqual(e1);
    expect(store.listEvents('none')).toEqual([]);
    expectStoreError(() => store.appendEvent('ghost', 'x', null), 'STORE_ERROR');
  });

  it('appends a burst of events in one transaction: all of them, or none when one is bad', () => {
    store.createRelease({ id: 'r1', workspace: '/repo', base: null, head: null });
    store.appendEvents([
      { releaseId: 'r1', name: 'build.log', payload: { line: 'one' } },
      { releaseId: 'r1', name: 'build.log', payload: { line: 'two' } },
    ]);
    expectStoreError(
      () =>
        store.appendEvents([
          { releaseId: 'r1', name: 'build.log', payload: { line: 'three' } },
          { releaseId: 'ghost', name: 'build.log', payload: { line: 'four' } },
        ]),
      'STORE_ERROR',
    );
    reopen();
    expect(store.listEvents('r1').map((e) => (e.payload as { line: string }).line)).toEqual(['one', 'two']);
  });
});

describe('revisions', () => {
  it('keep the history per environment and service', () => {
    store.createRelease({ id: 'r1', workspace: '/repo', base: null, head: null });
    store.setRevision({ environment: 'staging', service: 'api', revision: '1', image: 'api:1', releaseId: 'r1' });
    store.setRevision({ environment: 'staging', service: 'web', revision: '1', image: 'web:1', releaseId: 'r1' });
    store.setRevision({ environment: 'prod', service: 'api', revision: '1', image: 'api:1', releaseId: null });
    const latest = store.setRevision({ environment: 'staging', service: 'api', revision: '2', image: 'api:2', releaseId: 'r1' });
    expect(latest).toMatchObject({ environment: 'staging', service: 'api', revision: '2', image: 'api:2', releaseId: 'r1', deployedAt: expect.any(String) });

    reopen();
    expect(store.listRevisions('staging', 'api').map((r) => r.image)).toEqual(['api:2', 'api:1']);
    expect(store.listRevisions('staging').map((r) => r.image)).toEqual(['api:2', 'web:1', 'api:1']);
    expect(store.listRevisions('prod')).toEqual([expect.objectContaining({ service: 'api', releaseId: null })]);
    expect(store.currentRevisions('staging').map((r) => [r.service, r.revision])).toEqual([
      ['api', '2'],
      ['web', '1'],
    ]);
    expect(store.listRevisions('dev')).toEqual([]);
    expect(store.listRevisions('staging', 'api')[0]).toEqual(latest);
  });
});

describe('approvals and drills', () => {
  it('record and list approvals', () => {
    store.createRelease({ id: 'r1', workspace: '/repo', base: null, head: null });
    const stage = store.startStage({ releaseId: 'r1', name: 'prod gate' });
    const a = store.recordApproval({ releaseId: 'r1', stageId: stage.id, approver: 'ana', decision: 'approved', comment: 'lgtm' });
    store.recordApproval({ releaseId: 'r1', approver: 'bo', decision: 'rejected' });
    expect(a).toMatchObject({ releaseId: 'r1', stageId: stage.id, approver: 'ana', decision: 'approved', comment: 'lgtm' });

    reopen();
    expect(store.listApprovals('r1').map((x) => [x.approver, x.decision, x.comment, x.stageId])).toEqual([
      ['ana', 'approved', 'lgtm', stage.id],
      ['bo', 'rejected', null, null],
    ]);
    expectStoreError(() => store.recordApproval({ releaseId: 'ghost', approver: 'x', decision: 'approved' }), 'STORE_ERROR');
  });

  it('record and list drills, newest first', () => {
    store.createRelease({ id: 'r1', workspace: '/repo', base: null, head: null });
    const d1 = store.recordDrill({
      kind: 'rollback',
      environment: 'staging',
      releaseId: 'r1',
      outcome: 'passed',
      startedAt: '2025-03-01T10:00:00Z',
      finishedAt: '2025-03-01T10:02:00Z',
      detail: { seconds: 120 },
    });
    expect(d1).toMatchObject({ kind: 'rollback', releaseId: 'r1', outcome: 'passed', startedAt: '2025-03-01T10:00:00.000Z', detail: { seconds: 120 } });
    store.recordDrill({ kind: 'rollback', environment: 'prod', outcome: 'failed', startedAt: '2025-03-02T10:00:00Z', finishedAt: '2025-03-02T10:01:00Z', detail: null });
    // finishedAt defaults to the store's clock (2025-01-01 here), so this drill is the oldest.
    const d3 = store.recordDrill({ kind: 'restore', environment: 'staging', outcome: 'aborted', startedAt: '2024-12-31T23:59:00Z', detail: ['x'] });
    expect(d3.finishedAt).toMatch(/^2025-01-01T00:00:\d\d\.000Z$/);
    expect(d3.releaseId).toBeNull();

    reopen();
    expect(store.listDrills({ limit: 10 }).map((d) => d.kind + '@' + d.environment)).toEqual(['rollback@prod', 'rollback@staging', 'restore@staging']);
    expect(store.listDrills({ limit: 1 }).map((d) => d.outcome)).toEqual(['failed']);
    expect(store.listDrills({ limit: 10, environment: 'staging' }).map((d) => d.outcome)).toEqual(['passed', 'aborted']);
    expect(store.listDrills({ limit: 10, environment: 'staging' })[0]).toEqual(d1);
  });
});

describe('lifecycle', () => {
  it('close is idempotent and later calls fail with STORE_ERROR', () => {
    store.close();
    store.close();
    expect(expectStoreError(() => store.listReleases({ limit: 1 }), 'STORE_ERROR').message).toMatch(/closed/);
    store = openStore(dir);
  });

  it('allows a second connection while no one is writing', () => {
    store.createRelease({ id: 'r1', workspace: '/repo', base: null, head: null });
    const second = openStore(dir);
    try {
      expect(second.getRelease('r1')?.id).toBe('r1');
      second.createRelease({ id: 'r2', workspace: '/repo', base: null, head: null });
      expect(store.getRelease('r2')?.id).toBe('r2');
    } finally {
      second.close();
    }
  });
});
