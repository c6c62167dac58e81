// Every store method (runs and their journal, events; leases are in store-contract.test.ts) against a real SQLite file: what goes in comes back out, and survives
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

describe('runs', () => {
  it('create, get and finish', () => {
    const created = store.createRun({ id: 'r1', kind: 'release', workspace: '/repo', base: 'main', head: 'abc123', summary: '3 projects' });
    expect(created).toEqual({
      id: 'r1',
      kind: 'release',
      workspace: '/repo',
      environment: null,
      base: 'main',
      head: 'abc123',
      status: 'planned',
      createdAt: '2025-01-01T00:00:01.000Z',
      finishedAt: null,
      summary: '3 projects',
    });
    expect(store.createRun({ id: 'r2', kind: 'release', workspace: '/repo', base: null, head: null, status: 'running' })).toMatchObject({
      status: 'running',
      summary: null,
      base: null,
    });

    expect(store.finishRun('r1', 'running')).toMatchObject({ status: 'running', finishedAt: null });
    const finished = store.finishRun('r1', 'succeeded', '2025-02-03T04:05:06Z');
    expect(finished).toMatchObject({ status: 'succeeded', finishedAt: '2025-02-03T04:05:06.000Z' });

    reopen();
    expect(store.getRun('r1')).toEqual(finished);
    expect(store.getRun('nope')).toBeNull();
  });

  it('keeps the kind of run: a build-and-test run on its own is not a release', () => {
    store.createRun({ id: 'b1', kind: 'build', workspace: '/repo', base: null, head: 'abc' });
    reopen();
    expect(store.getRun('b1')).toMatchObject({ kind: 'build' });
  });

  it('reject duplicate ids and unknown releases with clear errors', () => {
    store.createRun({ id: 'dup', kind: 'release', workspace: '/repo', base: null, head: null });
    expect(expectStoreError(() => store.createRun({ id: 'dup', kind: 'release', workspace: '/x', base: null, head: null }), 'STORE_ERROR').message).toMatch(/"dup" already exists/);
    expect(expectStoreError(() => store.finishRun('ghost', 'failed'), 'STORE_ERROR').message).toMatch(/No run with id "ghost"/);
    expect(expectStoreError(() => store.finishRun('dup', 'failed', 'not a date'), 'STORE_ERROR').message).toMatch(/not a valid timestamp/);
    expect(store.getRun('dup')?.status).toBe('planned');
  });

  it('list newest first, with a limit and a before cursor', () => {
    for (let i = 1; i <= 7; i++) store.createRun({ id: `r${i}`, kind: 'release', workspace: '/repo', base: null, head: `h${i}` });
    reopen();
    expect(store.listRuns({ limit: 100 }).map((r) => r.id)).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    const page1 = store.listRuns({ limit: 3 });
    expect(page1.map((r) => r.id)).toEqual(['r7', 'r6', 'r5']);
    const page2 = store.listRuns({ limit: 3, before: page1[2]!.createdAt });
    expect(page2.map((r) => r.id)).toEqual(['r4', 'r3', 'r2']);
    const page3 = store.listRuns({ limit: 3, before: page2[2]!.createdAt });
    expect(page3.map((r) => r.id)).toEqual(['r1']);
    expect(store.listRuns({ limit: 0 })).toEqual([]);
  });

  it('break createdAt ties by insertion order', () => {
    const fixed = new Date('2025-06-01T00:00:00.000Z');
    store.close();
    store = openStore(dir, { now: () => fixed });
    for (const id of ['a', 'b', 'c']) store.createRun({ id, kind: 'release', workspace: '/repo', base: null, head: null });
    expect(store.listRuns({ limit: 10 }).map((r) => r.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('stages and steps', () => {
  it('start and finish stages', () => {
    store.createRun({ id: 'r1', kind: 'release', workspace: '/repo', base: null, head: null });
    const build = store.startStage({ runId: 'r1', name: 'build', id: 'r1:build' });
    expect(build).toMatchObject({ id: 'r1:build', runId: 'r1', name: 'build', status: 'running', finishedAt: null });
    const deploy = store.startStage({ runId: 'r1', name: 'deploy' });
    expect(deploy.id).toMatch(/^[0-9a-f-]{36}$/);

    expect(store.finishStage('r1:build', 'succeeded')).toMatchObject({ status: 'succeeded', finishedAt: expect.any(String) });
    expect(expectStoreError(() => store.finishStage('r1:build', 'failed'), 'STORE_ERROR').message).toMatch(/already finished \(succeeded\)/);
    expectStoreError(() => store.finishStage('nope', 'failed'), 'STORE_ERROR');
    expectStoreError(() => store.startStage({ runId: 'ghost', name: 'x' }), 'STORE_ERROR');

    reopen();
    expect(store.listStages('r1').map((s) => [s.name, s.status])).toEqual([
      ['build', 'succeeded'],
      ['deploy', 'running'],
    ]);
  });

  it('record an intent before and its result after, in one row', () => {
    store.createRun({ id: 'r1', kind: 'release', workspace: '/repo', base: null, head: null });
    const stage = store.startStage({ runId: 'r1', name: 'deploy' });
    const detail = { image: 'registry/catalog:1.2.3', args: ['--force', 1, true, null], nested: { a: [1, 2] } };
    const id = store.recordIntent({ runId: 'r1', stageId: stage.id, kind: 'k8s.apply', target: 'staging/catalog', detail });
    const other = store.recordIntent({ runId: 'r1', kind: 'git.tag', target: 'v1', detail: 'tag' });
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
  const subject = { workspace: '/repo', environment: 'staging', kind: 'docker' as const, service: 'api', toRevision: null };

  it('append and list per run, oldest first, with JSON payloads', () => {
    store.createRun({ id: 'r1', kind: 'release', workspace: '/repo', base: null, head: null });
    store.createRun({ id: 'r2', kind: 'release', workspace: '/repo', base: null, head: null });
    const e1 = store.appendEvent('r1', 'target.rollback.started', subject);
    store.appendEvent('r2', 'target.rollback.started', { ...subject, service: 'web' });
    store.appendEvent(null, 'build.log', { project: 'a', phase: 'build', line: 'no run' });
    const e3 = store.appendEvent('r1', 'target.rollback.finished', { ...subject, ok: true, from: '2', to: '1', current: '3' });
    expect(e3.id).toBeGreaterThan(e1.id);
    expect(e1).toMatchObject({ runId: 'r1', name: 'target.rollback.started', payload: subject });

    reopen();
    expect(store.listEvents('r1').map((e) => [e.name, e.payload])).toEqual([
      ['target.rollback.started', subject],
      ['target.rollback.finished', { ...subject, ok: true, from: '2', to: '1', current: '3' }],
    ]);
    expect(store.listEvents(null).map((e) => e.name)).toEqual(['build.log']);
    expect(store.listEvents('r1')[0]).toEqual(e1);
    expect(store.listEvents('none')).toEqual([]);
    expectStoreError(() => store.appendEvent('ghost', 'build.log', { project: 'a', phase: 'build', line: 'x' }), 'STORE_ERROR');
  });

  it('refuses an event name outside the closed set, and a payload that does not fit its schema', () => {
    store.createRun({ id: 'r1', kind: 'build', workspace: '/repo', base: null, head: null });
    const unknown = expectStoreError(() => store.appendEvent('r1', 'release.started' as never, {} as never), 'STORE_ERROR');
    expect(unknown.message).toMatch(/"release.started" is not a run event/);
    const wrong = expectStoreError(() => store.appendEvent('r1', 'build.log', { project: 'a', phase: 'deploy', line: 'x' } as never), 'STORE_ERROR');
    expect(wrong.message).toMatch(/build.log has an invalid payload: phase/);
    expect(store.listEvents('r1')).toEqual([]);
  });

  it('appends a burst of events in one transaction: all of them, or none when one is bad', () => {
    store.createRun({ id: 'r1', kind: 'release', workspace: '/repo', base: null, head: null });
    const log = (runId: string, line: string) => ({ runId, name: 'build.log' as const, payload: { project: 'p', phase: 'build' as const, line } });
    store.appendEvents([log('r1', 'one'), log('r1', 'two')]);
    expectStoreError(() => store.appendEvents([log('r1', 'three'), log('ghost', 'four')]), 'STORE_ERROR');
    reopen();
    expect(store.listEvents('r1').map((e) => (e.payload as { line: string }).line)).toEqual(['one', 'two']);
  });
});

describe('lifecycle', () => {
  it('close is idempotent and later calls fail with STORE_ERROR', () => {
    store.close();
    store.close();
    expect(expectStoreError(() => store.listRuns({ limit: 1 }), 'STORE_ERROR').message).toMatch(/closed/);
    store = openStore(dir);
  });

  it('allows a second connection while no one is writing', () => {
    store.createRun({ id: 'r1', kind: 'release', workspace: '/repo', base: null, head: null });
    const second = openStore(dir);
    try {
      expect(second.getRun('r1')?.id).toBe('r1');
      second.createRun({ id: 'r2', kind: 'release', workspace: '/repo', base: null, head: null });
      expect(store.getRun('r2')?.id).toBe('r2');
    } finally {
      second.close();
    }
  });
});
