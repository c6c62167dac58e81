// Boundaries of the lease keeper that the mutation run (docs/mutation.md) found unpinned: each case
// fails with one of its surviving mutants applied by hand. Over the in-memory store.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ProcessIdentity, busyError, createLeaseKeeper, whyGone } from '../../../electron/core/lease.js';
import { ConvoyError } from '../../../shared/errors.js';
import { createMemoryStore } from '../../fakes/store.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const identity = (pid: number, host = 'box-a'): ProcessIdentity => ({ pid, host, isAlive: () => true });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('whyGone and busyError, exactly', () => {
  it('a holder silent for exactly staleAfterMs still counts as alive', () => {
    const holder = { runId: 'r', pid: 9, host: 'box-b', startedAt: '2026-12-01T10:00:00.000Z', heartbeatAt: '2026-12-01T10:00:00.000Z' };
    expect(whyGone(holder, identity(1), new Date(T0 + 60_000), 60_000)).toBeNull();
    expect(whyGone(holder, identity(1), new Date(T0 + 60_001), 60_000)).toBe('no heartbeat since 2026-12-01T10:00:00.000Z (60 s)');
  });

  it('a holder with this pid is this process only when its process start time matches or is unknown', () => {
    const at = '2026-12-01T10:00:00.000Z';
    const holder = (processStartedAt: string | null) => ({ runId: 'r', pid: 7, host: 'box-a', startedAt: at, heartbeatAt: at, processStartedAt });
    // The pid is reused: another process of that pid held it and is gone.
    const reused = { pid: 7, host: 'box-a', startedAt: 'A', isAlive: () => false };
    expect(whyGone(holder('B'), reused, new Date(T0), 60_000)).toBe('process 7 on box-a no longer exists');
    expect(whyGone(holder('A'), reused, new Date(T0), 60_000)).toBeNull();
    expect(whyGone(holder(null), reused, new Date(T0), 60_000)).toBeNull();
  });

  it('the busy error says who holds it since when, and what to do', () => {
    const error = busyError('staging', { runId: 'run-1', pid: 100, host: 'box-a', startedAt: 'S', heartbeatAt: 'H' });
    expect(error).toBeInstanceOf(ConvoyError);
    expect(error.message).toBe(
      'Environment "staging" is busy: run run-1 is changing it (process 100 on box-a, since S, last heartbeat H). ' +
        'Wait for that run to finish or stop that process; a lease whose process has died is taken over automatically.',
    );
  });
});

describe('lease keeper options and defaults', () => {
  it('heartbeats every staleAfterMs / 4 by default, at least every 1 ms', () => {
    const periods: number[] = [];
    const every = (ms: number) => (periods.push(ms), () => undefined);
    const store = createMemoryStore();
    void createLeaseKeeper({ store, self: identity(100), staleAfterMs: 60_000, every }).hold('a', 'run-1', async () => undefined);
    void createLeaseKeeper({ store, self: identity(100), staleAfterMs: 2, every }).hold('b', 'run-2', async () => undefined);
    expect(periods).toEqual([15_000, 1]);
  });

  it('uses the staleAfterMs it is given', async () => {
    let now = T0;
    const store = createMemoryStore({ now: () => new Date(now) });
    const every = () => () => undefined;
    const keeper = (pid: number, host: string) => createLeaseKeeper({ store, self: identity(pid, host), now: () => new Date(now), staleAfterMs: 1_000, every });
    void keeper(300, 'box-b').hold('staging', 'run-1', () => new Promise(() => undefined));
    now += 1_500;
    await expect(keeper(100, 'box-a').hold('staging', 'run-2', async (h) => h.reclaimed?.reason)).resolves.toBe('no heartbeat since 2026-12-01T10:00:00.000Z (2 s)');
  });

  it('by default reads the clock, judges staleness after 60 s and heartbeats on a real interval it clears on release', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    // The holder on another host last beat in 2000: long stale by today's clock.
    const store = createMemoryStore({ now: () => new Date('2000-01-01T00:00:00.000Z') });
    void createLeaseKeeper({ store, self: identity(300, 'box-b'), every: () => () => undefined }).hold('staging', 'run-1', () => new Promise(() => undefined));
    const keeper = createLeaseKeeper({ store, self: identity(100, 'box-a') });
    const held = deferred();
    const work = keeper.hold('staging', 'run-2', async (h) => {
      await held.promise;
      return h.reclaimed?.reason;
    });
    expect(vi.getTimerCount()).toBe(1);
    held.resolve();
    await expect(work).resolves.toMatch(/^no heartbeat since 2000-01-01T00:00:00.000Z/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('by default heartbeats also where a timer cannot be unref-ed (a bare timer id, as in a browser)', async () => {
    const cleared: unknown[] = [];
    vi.stubGlobal('setInterval', () => 7);
    vi.stubGlobal('clearInterval', (id: unknown) => void cleared.push(id));
    const keeper = createLeaseKeeper({ store: createMemoryStore(), self: identity(100) });
    await expect(keeper.hold('staging', 'run-1', async () => 'done')).resolves.toBe('done');
    expect(cleared).toEqual([7]);
  });

  it('records when this process started in the lease, so a later process with the same pid is not taken for it', async () => {
    const store = createMemoryStore();
    const keeper = createLeaseKeeper({ store, self: { ...identity(42), startedAt: '2026-12-01T09:00:00.000Z' }, every: () => () => undefined });
    await keeper.hold('staging', 'run-1', async () => {
      expect(store.getLease('staging')).toMatchObject({ pid: 42, processStartedAt: '2026-12-01T09:00:00.000Z' });
    });
  });

  it('numbers ad-hoc run ids per process, from 1', () => {
    const keeper = createLeaseKeeper({ store: createMemoryStore(), self: identity(42) });
    expect([keeper.adHocRunId(), keeper.adHocRunId()]).toEqual(['pid42-change-1', 'pid42-change-2']);
  });
});

describe('lease keeper turns inside one process', () => {
  it('takes the lease before hold() returns once earlier runs are done', async () => {
    const store = createMemoryStore();
    const keeper = createLeaseKeeper({ store, self: identity(100), every: () => () => undefined });
    await keeper.hold('staging', 'run-1', async () => undefined);
    const held = deferred();
    const second = keeper.hold('staging', 'run-2', () => held.promise);
    expect(store.getLease('staging')).toMatchObject({ runId: 'run-2' });
    held.resolve();
    await second;
  });

  it('a third run still waits for the second after the first has finished', async () => {
    const keeper = createLeaseKeeper({ store: createMemoryStore(), self: identity(100), every: () => () => undefined });
    const order: string[] = [];
    const first = deferred();
    const second = deferred();
    const secondStarted = deferred();
    const one = keeper.hold('staging', 'run-1', async () => {
      await first.promise;
      order.push('1 end');
    });
    const two = keeper.hold('staging', 'run-2', async () => {
      secondStarted.resolve();
      await second.promise;
      order.push('2 end');
    });
    first.resolve();
    await one;
    await secondStarted.promise;
    const three = keeper.hold('staging', 'run-3', async () => void order.push('3 start'));
    second.resolve();
    await Promise.all([two, three]);
    expect(order).toEqual(['1 end', '2 end', '3 start']);
  });
});
