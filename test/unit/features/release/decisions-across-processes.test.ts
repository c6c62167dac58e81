// Approval decisions given in another process: decideInStore writes them (only for a release the
// store says is running and waiting there), and a waiting release's LiveReleases reads them from the
// store on a timer — only decisions for its own environment, written after it began waiting — and stops
// reading once it is decided or cancelled. A cancel asked in another process is read the same way for as
// long as the release runs. vitest's fake timers drive the polling; nothing waits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReleaseReport } from '../../../../shared/release-report.js';
import { LiveReleases } from '../../../../electron/features/release/live-releases.js';
import { REPORT_EVENT } from '../../../../electron/features/release/store-recorder.js';
import { decideInStore, requestCancelInStore } from '../../../../electron/features/release/stored-decision.js';
import { MemoryStore } from '../../../fakes/store.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

const AT = new Date('2026-12-05T07:00:00.000Z');
const decision = (environment: string, by: string, decided: 'approved' | 'rejected' = 'approved') => ({ environment, decision: decided, by, at: AT.toISOString(), comment: `${by} says so` });

function waitingIn(environment: string | null): ReleaseReport {
  const env = (name: string) => ({
    name,
    kind: 'docker' as const,
    state: name === environment ? ('awaiting-approval' as const) : ('succeeded' as const),
    waves: [],
    skipped: [],
    gates: null,
    diff: null,
    approval: { required: name === environment, state: name === environment ? ('waiting' as const) : ('not-required' as const), by: null, at: null, comment: null },
    services: [],
    rollbacks: [],
    live: [],
    cause: null,
  });
  return { id: 'rel-1', workspace: '/ws', target: 'staging', only: false, base: null, head: null, commit: null, author: null, state: environment ? 'awaiting-approval' : 'running', cause: null, startedAt: AT.toISOString(), finishedAt: null, affected: [], services: [], order: [], images: [], buildCalls: 0, applies: 0, stages: [], pushes: [], environments: [env('local'), env('staging')] };
}

function storeWith(report: ReleaseReport | null, status: 'running' | 'succeeded' = 'running'): MemoryStore {
  const store = new MemoryStore({ now: () => AT });
  store.createRun({ id: 'rel-1', kind: 'release', workspace: '/ws', environment: 'staging', base: null, head: null, status: 'running' });
  if (report) store.appendEvent('rel-1', REPORT_EVENT, report);
  if (status !== 'running') store.finishRun('rel-1', status);
  return store;
}

describe('decideInStore', () => {
  it('writes the decision for the environment the stored record waits in', () => {
    const store = storeWith(waitingIn('staging'));
    expect(decideInStore(store, { releaseId: 'rel-1', decision: 'rejected', by: 'frank', comment: 'freeze' }, () => AT)).toEqual({ environment: 'staging' });
    expect(decideInStore(store, { releaseId: 'rel-1', decision: 'approved', by: 'erin', environment: 'staging' }, () => AT)).toEqual({ environment: 'staging' });
    expect(store.listEvents('rel-1', { name: 'release.decision' }).map((e) => e.payload)).toEqual([
      { environment: 'staging', decision: 'rejected', by: 'frank', at: AT.toISOString(), comment: 'freeze' },
      { environment: 'staging', decision: 'approved', by: 'erin', at: AT.toISOString(), comment: null },
    ]);
  });

  it('refuses, writing nothing, an unknown release, one that is over, one not waiting, and another environment', () => {
    const refusals: Array<[MemoryStore, Parameters<typeof decideInStore>[1], string, string]> = [
      [storeWith(waitingIn('staging')), { releaseId: 'rel-9', decision: 'approved', by: 'x' }, 'NOT_FOUND', 'No release rel-9 in history'],
      [storeWith(waitingIn('staging'), 'succeeded'), { releaseId: 'rel-1', decision: 'approved', by: 'x' }, 'RELEASE_NOT_WAITING', 'Release rel-1 is succeeded, so it does not wait for approval'],
      [storeWith(waitingIn(null)), { releaseId: 'rel-1', decision: 'approved', by: 'x', environment: 'staging' }, 'RELEASE_NOT_WAITING', 'Release rel-1 is running but not waiting for approval in staging now'],
      [storeWith(null), { releaseId: 'rel-1', decision: 'approved', by: 'x' }, 'RELEASE_NOT_WAITING', 'Release rel-1 is running but not waiting for approval now'],
      [storeWith(waitingIn('staging')), { releaseId: 'rel-1', decision: 'approved', by: 'x', environment: 'local' }, 'RELEASE_NOT_WAITING', 'Release rel-1 waits for approval in staging, not in local'],
    ];
    for (const [store, request, code, message] of refusals) {
      expect(() => decideInStore(store, request, () => AT)).toThrow(expect.objectContaining({ code, message }));
      expect(store.listEvents('rel-1', { name: 'release.decision' })).toEqual([]);
    }
  });
});

describe('a waiting release reads decisions from the store', () => {
  function waiting(store: MemoryStore, environment = 'staging') {
    const live = new LiveReleases({ store, pollMs: 500, now: () => AT });
    const signal = live.start('rel-1');
    const controller = new AbortController();
    signal.addEventListener('abort', () => controller.abort());
    const answer = live.approver('wait', 'nobody').request({ releaseId: 'rel-1', environment, diff: '', signal: controller.signal });
    return { live, answer, cancel: () => live.cancel('rel-1') };
  }

  it('takes the first decision for its environment written after it began waiting, and then stops reading', async () => {
    const store = storeWith(waitingIn('staging'));
    store.appendEvent('rel-1', 'release.decision', decision('staging', 'too-early'));
    const { live, answer } = waiting(store);
    let settled = false;
    void answer.then(() => void (settled = true));
    store.appendEvent('rel-1', 'release.decision', decision('local', 'wrong-env'));
    await vi.advanceTimersByTimeAsync(1_500);
    expect(settled).toBe(false);
    store.appendEvent('rel-1', 'release.decision', decision('staging', 'erin', 'rejected'));
    store.appendEvent('rel-1', 'release.decision', decision('staging', 'late'));
    await vi.advanceTimersByTimeAsync(500);
    await expect(answer).resolves.toEqual({ decision: 'rejected', by: 'erin', at: AT.toISOString(), comment: 'erin says so' });
    // Left: only the release's own watch for a cancel, until it ends.
    expect(vi.getTimerCount()).toBe(1);
    live.end('rel-1');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a decision in this process wins and stops the reading too', async () => {
    const { live, answer } = waiting(storeWith(waitingIn('staging')));
    expect(vi.getTimerCount()).toBe(2);
    expect(live.decide('rel-1', 'approved', 'dana', 'staging')).toEqual({ environment: 'staging' });
    await expect(answer).resolves.toMatchObject({ decision: 'approved', by: 'dana' });
    expect(vi.getTimerCount()).toBe(1);
  });

  it('a cancel while waiting stops the reading; a store that cannot be read is tried again', async () => {
    const store = storeWith(waitingIn('staging'));
    const { live, answer, cancel } = waiting(store);
    const rejected = expect(answer).rejects.toMatchObject({ code: 'CANCELLED' });
    const real = store.listEvents.bind(store);
    const refused: string[] = [];
    store.listEvents = (_runId, filter) => {
      refused.push(filter?.name ?? 'all');
      throw new Error('database is locked');
    };
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refused.sort()).toEqual(['release.cancelRequested', 'release.cancelRequested', 'release.decision', 'release.decision']);
    store.listEvents = real;
    expect(cancel()).toBe(true);
    await rejected;
    expect(vi.getTimerCount()).toBe(1);
    live.end('rel-1');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without a store to read, only this process can decide (no timer)', async () => {
    const live = new LiveReleases();
    live.start('rel-1');
    void live.approver('wait', 'nobody').request({ releaseId: 'rel-1', environment: 'staging', diff: '', signal: new AbortController().signal });
    expect(vi.getTimerCount()).toBe(0);
    expect(live.has('rel-1')).toBe(true);
    expect(live.has('rel-2')).toBe(false);
  });
});

describe('a cancel asked in another process', () => {
  it('is written only for a running release', () => {
    const store = storeWith(waitingIn('staging'));
    expect(requestCancelInStore(store, 'rel-9', 'ops', () => AT)).toEqual({ cancelled: false });
    expect(requestCancelInStore(store, 'rel-1', 'ops', () => AT)).toEqual({ cancelled: true });
    expect(store.listEvents('rel-1', { name: 'release.cancelRequested' }).map((e) => e.payload)).toEqual([{ by: 'ops', at: AT.toISOString() }]);
    const over = storeWith(waitingIn(null), 'succeeded');
    expect(requestCancelInStore(over, 'rel-1', 'ops', () => AT)).toEqual({ cancelled: false });
    expect(over.listEvents('rel-1', { name: 'release.cancelRequested' })).toEqual([]);
  });

  it('aborts the running release’s signal; one asked before this start (a resumed release keeps its id) does not', async () => {
    const store = storeWith(waitingIn(null));
    store.appendEvent('rel-1', 'release.cancelRequested', { by: 'earlier run', at: AT.toISOString() });
    const live = new LiveReleases({ store, pollMs: 500 });
    const signal = live.start('rel-1');
    await vi.advanceTimersByTimeAsync(1_500);
    expect(signal.aborted).toBe(false);
    store.appendEvent('rel-1', 'release.cancelRequested', { by: 'ops', at: AT.toISOString() });
    await vi.advanceTimersByTimeAsync(500);
    expect(signal.aborted).toBe(true);
    live.end('rel-1');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops reading when the release ends', () => {
    const live = new LiveReleases({ store: storeWith(null), pollMs: 500 });
    live.start('rel-1');
    expect(vi.getTimerCount()).toBe(1);
    live.end('rel-1');
    expect(vi.getTimerCount()).toBe(0);
  });
});
