// One set of assertions, two stores: the SQLite store and the in-memory fake (test/fakes/store.ts) must
// answer every port method alike, so tests written against the fake hold for the real thing.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import type { HistoryStore } from '../../../electron/core/ports/history-store.js';
import { createMemoryStore } from '../../fakes/store.js';
import { steppingClock, tempDir } from './helpers.js';

const stores: Array<[string, () => HistoryStore]> = [
  ['sqlite', () => openStore(tempDir(), { now: steppingClock() })],
  ['memory', () => createMemoryStore({ now: steppingClock() })],
];

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe.each(stores)('the %s store', (_name, make) => {
  let store: HistoryStore;
  afterEach(() => store.close());

  it('creates, lists (newest first, by kind, before a cursor) and finishes runs', () => {
    store = make();
    const first = store.createRun({ id: 'b1', kind: 'build', workspace: '/ws', base: 'main', head: 'abc', summary: 'build and test: api', status: 'running' });
    expect(first).toEqual({
      id: 'b1',
      kind: 'build',
      workspace: '/ws',
      environment: null,
      base: 'main',
      head: 'abc',
      status: 'running',
      createdAt: '2025-01-01T00:00:01.000Z',
      finishedAt: null,
      summary: 'build and test: api',
    });
    store.createRun({ id: 'rb1', kind: 'rollback', workspace: '/ws', environment: 'staging', base: null, head: null });
    store.createRun({ id: 'rel1', kind: 'release', workspace: '/ws', environment: 'prod', base: null, head: null });
    expect(store.listRuns({ limit: 10 }).map((r) => r.id)).toEqual(['rel1', 'rb1', 'b1']);
    expect(store.listRuns({ limit: 10, kind: 'rollback' }).map((r) => [r.id, r.environment, r.status])).toEqual([['rb1', 'staging', 'planned']]);
    expect(store.listRuns({ limit: 10, before: '2025-01-01T00:00:03.000Z' }).map((r) => r.id)).toEqual(['rb1', 'b1']);
    expect(store.listRuns({ limit: 0 })).toEqual([]);
    expect(store.finishRun('b1', 'succeeded', '2025-02-01T00:00:00Z')).toMatchObject({ status: 'succeeded', finishedAt: '2025-02-01T00:00:00.000Z' });
    expect(store.finishRun('rb1', 'running')).toMatchObject({ status: 'running', finishedAt: null });
    expect(store.getRun('b1')?.status).toBe('succeeded');
    expect(store.getRun('nope')).toBeNull();
    expect(code(() => store.createRun({ id: 'b1', kind: 'build', workspace: '/x', base: null, head: null }))).toBe('STORE_ERROR');
    expect(code(() => store.finishRun('ghost', 'failed'))).toBe('STORE_ERROR');
  });

  it('keeps stages and the journal: one result per step, unknown runs and stages refused', () => {
    store = make();
    store.createRun({ id: 'r1', kind: 'release', workspace: '/ws', base: null, head: null });
    const stage = store.startStage({ runId: 'r1', name: 'deploy', id: 'r1:deploy' });
    expect(stage).toMatchObject({ id: 'r1:deploy', runId: 'r1', status: 'running', finishedAt: null });
    const a = store.recordIntent({ runId: 'r1', stageId: stage.id, kind: 'k8s.apply', target: 'prod/api', detail: { n: [1, 'x', null] } });
    const b = store.recordIntent({ runId: 'r1', kind: 'git.tag', target: 'v1', detail: null });
    expect(b).toBeGreaterThan(a);
    expect(store.listSteps('r1')).toMatchObject([{ id: a, stageId: 'r1:deploy', detail: { n: [1, 'x', null] }, ok: null, result: null, finishedAt: null }, { id: b, stageId: null }]);
    expect(store.recordResult(a, { ok: true, detail: { revision: 7 } })).toMatchObject({ id: a, ok: true, result: { revision: 7 } });
    expect(code(() => store.recordResult(a, { ok: false, detail: null }))).toBe('STORE_ERROR');
    expect(code(() => store.recordResult(9999, { ok: true, detail: null }))).toBe('STORE_ERROR');
    expect(code(() => store.recordIntent({ runId: 'ghost', kind: 'k', target: 't', detail: null }))).toBe('STORE_ERROR');
    expect(code(() => store.startStage({ runId: 'ghost', name: 'x' }))).toBe('STORE_ERROR');
    expect(store.finishStage('r1:deploy', 'failed')).toMatchObject({ status: 'failed' });
    expect(code(() => store.finishStage('r1:deploy', 'succeeded'))).toBe('STORE_ERROR');
    expect(store.listStages('r1').map((s) => [s.name, s.status])).toEqual([['deploy', 'failed']]);
  });

  it('keeps typed events per run, refuses unknown names and bad payloads, appends bursts all-or-nothing', () => {
    store = make();
    store.createRun({ id: 'r1', kind: 'build', workspace: '/ws', base: null, head: null });
    const e = store.appendEvent('r1', 'build.failed', { error: { code: 'BUILD_FAILED', message: 'no' } });
    expect(e).toMatchObject({ runId: 'r1', name: 'build.failed', payload: { error: { code: 'BUILD_FAILED', message: 'no' } } });
    const log = (runId: string, line: string) => ({ runId, name: 'build.log' as const, payload: { project: 'api', phase: 'test' as const, line } });
    store.appendEvents([log('r1', 'one'), log('r1', 'two')]);
    expect(code(() => store.appendEvents([log('r1', 'three'), log('ghost', 'four')]))).toBe('STORE_ERROR');
    expect(code(() => store.appendEvent('r1', 'nope' as never, {} as never))).toBe('STORE_ERROR');
    expect(code(() => store.appendEvent('r1', 'build.log', { project: 'api' } as never))).toBe('STORE_ERROR');
    expect(store.listEvents('r1').map((x) => x.name)).toEqual(['build.failed', 'build.log', 'build.log']);
    expect(store.listEvents('r1')[0]).toEqual(e);
    expect(store.listEvents(null)).toEqual([]);
  });

  it('lists one event name, and only events after a cursor (what a poll for new decisions reads)', () => {
    store = make();
    store.createRun({ id: 'r1', kind: 'release', workspace: '/ws', base: null, head: null });
    store.createRun({ id: 'r2', kind: 'release', workspace: '/ws', base: null, head: null });
    const decision = (environment: string, by: string) => ({ environment, decision: 'approved' as const, by, at: '2026-12-05T07:00:00.000Z', comment: null });
    const a = store.appendEvent('r1', 'release.decision', decision('staging', 'a'));
    store.appendEvent('r1', 'build.failed', { error: { code: 'BUILD_FAILED', message: 'no' } });
    store.appendEvent('r2', 'release.decision', decision('staging', 'other run'));
    const b = store.appendEvent('r1', 'release.decision', decision('prod', 'b'));
    expect(store.listEvents('r1', { name: 'release.decision' }).map((x) => x.id)).toEqual([a.id, b.id]);
    expect(store.listEvents('r1', { name: 'release.decision', afterId: a.id })).toEqual([b]);
    expect(store.listEvents('r1', { afterId: a.id }).map((x) => x.name)).toEqual(['build.failed', 'release.decision']);
    expect(store.listEvents('r1', { name: 'release.decision', afterId: b.id })).toEqual([]);
    expect(store.listEvents(null, { name: 'release.decision' })).toEqual([]);
  });

  it('swaps leases atomically: taken when free or when the holder is gone, refused otherwise, released only by the holder', () => {
    store = make();
    const first = store.acquireLease({ environment: 'staging', runId: 'r1', pid: 10, host: 'a' }, () => {
      throw new Error('not asked when the lease is free');
    });
    expect(first).toMatchObject({ acquired: true, reclaimed: null, lease: { environment: 'staging', runId: 'r1', pid: 10, host: 'a' } });
    const seen: unknown[] = [];
    const refused = store.acquireLease({ environment: 'staging', runId: 'r2', pid: 20, host: 'b' }, (holder) => {
      seen.push(holder);
      return false;
    });
    expect(refused).toMatchObject({ acquired: false, holder: { runId: 'r1', pid: 10, host: 'a' } });
    expect(seen).toEqual([store.getLease('staging')]);
    expect(store.heartbeatLease('staging', 'r1')).toBe(true);
    expect(store.heartbeatLease('staging', 'r2')).toBe(false);
    expect(store.getLease('staging')!.heartbeatAt > store.getLease('staging')!.startedAt).toBe(true);
    expect(store.releaseLease('staging', 'r2')).toBe(false);
    const taken = store.acquireLease({ environment: 'staging', runId: 'r2', pid: 20, host: 'b' }, () => true);
    expect(taken).toMatchObject({ acquired: true, lease: { runId: 'r2' }, reclaimed: { runId: 'r1', pid: 10 } });
    expect(store.releaseLease('staging', 'r1')).toBe(false);
    expect(store.releaseLease('staging', 'r2')).toBe(true);
    expect(store.getLease('staging')).toBeNull();
  });

  it('remembers a passed test by image ID, command, environment and timeout; a failure forgets it', () => {
    store = make();
    const key = { imageId: 'sha256:aaa', command: ['npm', 'test'], env: { A: '1', TOKEN: 's3cret' }, timeoutMs: 60_000 };
    expect(store.findPassedTest(key)).toBeNull();
    store.recordTestOutcome(key, { passed: true, runId: 'b1' });
    expect(store.findPassedTest(key)).toEqual({ runId: 'b1', passedAt: '2025-01-01T00:00:01.000Z' });
    // The environment's order does not matter; each of the four parts does.
    expect(store.findPassedTest({ ...key, env: { TOKEN: 's3cret', A: '1' } })?.runId).toBe('b1');
    for (const changed of [
      { ...key, imageId: 'sha256:bbb' },
      { ...key, command: ['npm', 'run', 'test'] },
      { ...key, env: { A: '1', TOKEN: 'other' } },
      { ...key, env: { A: '1' } },
      { ...key, timeoutMs: 30_000 },
    ]) {
      expect(store.findPassedTest(changed)).toBeNull();
    }
    store.recordTestOutcome(key, { passed: true, runId: 'b2' });
    expect(store.findPassedTest(key)).toEqual({ runId: 'b2', passedAt: '2025-01-01T00:00:02.000Z' });
    store.recordTestOutcome(key, { passed: false, runId: 'b3' });
    expect(store.findPassedTest(key)).toBeNull();
    store.recordTestOutcome({ ...key, timeoutMs: 1 }, { passed: false, runId: 'b4' });
    expect(store.findPassedTest({ ...key, timeoutMs: 1 })).toBeNull();
  });

  it('fails every call after close', () => {
    store = make();
    store.close();
    expect(code(() => store.listRuns({ limit: 1 }))).toBe('STORE_ERROR');
  });
});
