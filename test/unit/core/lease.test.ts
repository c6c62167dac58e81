// The lease keeper over the in-memory store: one run per environment; a live holder elsewhere refuses
// with ENVIRONMENT_BUSY naming run, pid and host; a dead or silent one is reclaimed; runs inside one
// process wait their turn; the heartbeat refreshes the row; everything is released afterwards.
import { describe, expect, it } from 'vitest';
import { type ProcessIdentity, createLeaseKeeper, whyGone } from '../../../electron/core/lease.js';
import { ConvoyError } from '../../../shared/errors.js';
import { createMemoryStore } from '../../fakes/store.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

function world() {
  let now = T0;
  const alive = new Set<number>([100, 200]);
  const identity = (pid: number, host = 'box-a'): ProcessIdentity => ({ pid, host, isAlive: (p) => alive.has(p) });
  const store = createMemoryStore({ now: () => new Date(now) });
  const ticks: Array<() => void> = [];
  const every = (_ms: number, fn: () => void) => {
    ticks.push(fn);
    return () => void ticks.splice(ticks.indexOf(fn), 1);
  };
  const keeper = (pid: number, host?: string) => createLeaseKeeper({ store, self: identity(pid, host), now: () => new Date(now), staleAfterMs: 60_000, every });
  return { store, alive, identity, keeper, ticks, advance: (ms: number) => void (now += ms) };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function refusal(work: Promise<unknown>): Promise<ConvoyError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ConvoyError) return err;
    throw err;
  }
  throw new Error('expected ENVIRONMENT_BUSY');
}

describe('whyGone', () => {
  const self: ProcessIdentity = { pid: 1, host: 'box-a', isAlive: (pid) => pid === 7 };
  const holder = (pid: number, host: string, heartbeatAt = '2026-12-01T10:00:00.000Z') => ({ runId: 'r', pid, host, startedAt: heartbeatAt, heartbeatAt });
  const now = new Date(T0 + 1000);

  it('counts a holder alive while its process exists and its heartbeat is fresh', () => {
    expect(whyGone(holder(7, 'box-a'), self, now, 60_000)).toBeNull();
    expect(whyGone(holder(1, 'box-a'), self, now, 60_000)).toBeNull();
    expect(whyGone(holder(9, 'box-b'), self, now, 60_000)).toBeNull();
  });

  it('counts it gone when its pid no longer exists on this host, or its heartbeat is stale anywhere', () => {
    expect(whyGone(holder(8, 'box-a'), self, now, 60_000)).toBe('process 8 on box-a no longer exists');
    expect(whyGone(holder(9, 'box-b', '2026-12-01T09:58:00.000Z'), self, now, 60_000)).toMatch(/^no heartbeat since 2026-12-01T09:58:00.000Z \(121 s\)$/);
  });
});

describe('lease keeper', () => {
  it('holds the lease while the work runs and releases it after, even when the work fails', async () => {
    const { store, keeper } = world();
    const leases = keeper(100);
    await leases.hold('staging', 'run-1', async ({ lease, reclaimed }) => {
      expect(lease).toMatchObject({ environment: 'staging', runId: 'run-1', pid: 100, host: 'box-a' });
      expect(reclaimed).toBeNull();
      expect(store.getLease('staging')).toMatchObject({ runId: 'run-1' });
    });
    expect(store.getLease('staging')).toBeNull();
    await expect(leases.hold('staging', 'run-2', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(store.getLease('staging')).toBeNull();
  });

  it('refuses a second process while a live one holds the environment, naming the run, pid and host', async () => {
    const { store, keeper } = world();
    const held = deferred();
    const first = keeper(100).hold('staging', 'run-1', () => held.promise);
    const error = await refusal(keeper(200).hold('staging', 'run-2', async () => 'never'));
    expect(error.code).toBe('ENVIRONMENT_BUSY');
    expect(error.message).toMatch(/Environment "staging" is busy: run run-1 is changing it \(process 100 on box-a/);
    // Another environment is free.
    await expect(keeper(200).hold('prod', 'run-3', async () => 'ok')).resolves.toBe('ok');
    held.resolve();
    await first;
    expect(store.getLease('staging')).toBeNull();
  });

  it('reclaims the lease of a process that died, and tells the work whose it was', async () => {
    const { store, keeper, alive } = world();
    const held = deferred();
    void keeper(100).hold('staging', 'run-1', () => held.promise);
    alive.delete(100); // killed: its row stays
    const reclaimed = await keeper(200).hold('staging', 'run-2', async (h) => h.reclaimed);
    expect(reclaimed).toMatchObject({ holder: { runId: 'run-1', pid: 100, host: 'box-a' }, reason: 'process 100 on box-a no longer exists' });
    expect(store.getLease('staging')).toBeNull();
  });

  it('reclaims a lease whose holder on another host stopped its heartbeat, not before', async () => {
    const { keeper, advance, ticks } = world();
    const held = deferred();
    void keeper(300, 'box-b').hold('staging', 'run-1', () => held.promise);
    advance(45_000);
    ticks.forEach((tick) => tick()); // box-b's heartbeat
    advance(45_000);
    expect((await refusal(keeper(100).hold('staging', 'run-2', async () => 'x'))).code).toBe('ENVIRONMENT_BUSY');
    advance(16_000); // 61 s since the last heartbeat
    await expect(keeper(100).hold('staging', 'run-2', async (h) => h.reclaimed?.reason)).resolves.toMatch(/^no heartbeat since/);
  });

  it('lets runs of one process wait their turn, and a nested hold by the same run just runs', async () => {
    const { keeper } = world();
    const leases = keeper(100);
    const order: string[] = [];
    const firstHeld = deferred();
    const first = leases.hold('staging', 'run-1', async () => {
      order.push('1 start');
      await leases.hold('staging', 'run-1', async () => void order.push('1 nested'));
      await firstHeld.promise;
      order.push('1 end');
    });
    const second = leases.hold('staging', 'run-2', async () => void order.push('2 start'));
    await Promise.resolve();
    firstHeld.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['1 start', '1 nested', '1 end', '2 start']);
  });

  it('refreshes the heartbeat while held, stops afterwards, and releaseAll gives back what is held', async () => {
    const { store, keeper, advance, ticks } = world();
    const leases = keeper(100);
    const held = deferred();
    const work = leases.hold('staging', 'run-1', () => held.promise);
    expect(ticks).toHaveLength(1);
    advance(10_000);
    ticks[0]!();
    expect(store.getLease('staging')?.heartbeatAt).toBe('2026-12-01T10:00:10.000Z');
    leases.releaseAll();
    expect(store.getLease('staging')).toBeNull();
    expect(ticks).toHaveLength(0);
    held.resolve();
    await work;
  });
});
