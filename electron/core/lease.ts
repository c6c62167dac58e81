// Per-environment leases: the one rule that keeps two runs from changing an environment at once, across
// every Convoy process on one store. `hold(environment, runId, work)`:
//  * inside this process, a second run on the same environment waits its turn (as Convoy always did);
//    a nested hold by the run that already holds it just runs;
//  * across processes, a lease held by a live process is refused at once with ENVIRONMENT_BUSY naming
//    the run, the pid and the host; a lease whose holder is gone is taken over (reclaimed): same host and
//    the pid no longer exists (or is now another process: its start time differs), or no heartbeat for `staleAfterMs` (a holder on another host can only be
//    judged by its heartbeat);
//  * while the work runs, the heartbeat is refreshed every `heartbeatMs`; the lease is released when the
//    work settles, and `releaseAll()` gives back whatever is still held (on exit).
import { ConvoyError } from '../../shared/errors.js';
import type { LeaseHolder, LeaseRecord, LeaseStore } from './ports/lease-store.js';

/** This process as a lease holder, and a way to ask whether another process on this host is alive. */
export interface ProcessIdentity {
  pid: number;
  host: string;
  /** When this process started (electron/core/owner.ts); null where the platform cannot tell. */
  startedAt?: string | null;
  /** Whether `pid` exists on this host and, when `startedAt` is given and can be checked, started then. */
  isAlive(pid: number, startedAt?: string | null): boolean;
}

/** Repeats `fn` every `ms` until the returned function is called. */
export type Every = (ms: number, fn: () => void) => () => void;

export interface LeaseKeeperOptions {
  store: LeaseStore;
  self: ProcessIdentity;
  now?: () => Date;
  /** A holder silent for this long is taken to be gone. Default 60 s. */
  staleAfterMs?: number;
  /** How often a held lease is refreshed. Default staleAfterMs / 4. */
  heartbeatMs?: number;
  every?: Every;
}

/** What the work learns about the lease it runs under. */
export interface HeldLease {
  lease: LeaseRecord;
  /** The dead holder this lease was taken from, and why it counted as dead. */
  reclaimed: { holder: LeaseRecord; reason: string } | null;
}

export interface LeaseKeeper {
  hold<T>(environment: string, runId: string, work: (held: HeldLease) => Promise<T>): Promise<T>;
  /** A run id for a change made outside any run (unique to this process). */
  adHocRunId(): string;
  /** Releases every lease this keeper holds (process exit, app close). */
  releaseAll(): void;
}

export const DEFAULT_LEASE_STALE_MS = 60_000;

const defaultEvery: Every = (ms, fn) => {
  const timer = setInterval(fn, ms);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
};

/** Why a holder counts as gone, or null while it is alive. Pure, so the rule is tested on its own. */
export function whyGone(holder: LeaseHolder, self: ProcessIdentity, now: Date, staleAfterMs: number): string | null {
  const startedAt = holder.processStartedAt ?? null;
  const itself = holder.pid === self.pid && (startedAt === null || startedAt === (self.startedAt ?? null));
  if (holder.host === self.host && !itself && !self.isAlive(holder.pid, startedAt)) {
    return `process ${holder.pid} on ${holder.host} no longer exists`;
  }
  const silentMs = now.getTime() - Date.parse(holder.heartbeatAt);
  if (silentMs > staleAfterMs) return `no heartbeat since ${holder.heartbeatAt} (${Math.round(silentMs / 1000)} s)`;
  return null;
}

export function busyError(environment: string, holder: LeaseHolder): ConvoyError {
  return new ConvoyError(
    'ENVIRONMENT_BUSY',
    `Environment "${environment}" is busy: run ${holder.runId} is changing it (process ${holder.pid} on ${holder.host}, ` +
      `since ${holder.startedAt}, last heartbeat ${holder.heartbeatAt}). Wait for that run to finish or stop that process; ` +
      `a lease whose process has died is taken over automatically.`,
  );
}

export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { store, self } = options;
  const now = options.now ?? (() => new Date());
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_LEASE_STALE_MS;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(staleAfterMs / 4));
  const every = options.every ?? defaultEvery;
  /** Per environment: the run holding it in this process, and the tail of the runs waiting here. */
  const held = new Map<string, { runId: string; stop: () => void; lease: HeldLease }>();
  const tails = new Map<string, Promise<void>>();
  let adHoc = 0;

  function take(environment: string, runId: string): HeldLease {
    let reason: string | null = null;
    const result = store.acquireLease({ environment, runId, pid: self.pid, host: self.host, processStartedAt: self.startedAt ?? null }, (holder) => {
      reason = whyGone(holder, self, now(), staleAfterMs);
      return reason !== null;
    });
    if (!result.acquired) throw busyError(environment, result.holder);
    return { lease: result.lease, reclaimed: result.reclaimed && reason ? { holder: result.reclaimed, reason } : null };
  }

  function release(environment: string): void {
    const entry = held.get(environment);
    if (!entry) return;
    held.delete(environment);
    entry.stop();
    store.releaseLease(environment, entry.runId);
  }

  async function holdInTurn<T>(environment: string, runId: string, work: (held: HeldLease) => Promise<T>): Promise<T> {
    const lease = take(environment, runId);
    const stop = every(heartbeatMs, () => {
      // A false answer means another process reclaimed it after a long stall; the work is already
      // under way, so the run carries on and the next taker sees the row it left.
      store.heartbeatLease(environment, runId);
    });
    held.set(environment, { runId, stop, lease });
    try {
      return await work(lease);
    } finally {
      release(environment);
    }
  }

  return {
    async hold<T>(environment: string, runId: string, work: (held: HeldLease) => Promise<T>): Promise<T> {
      const current = held.get(environment);
      // The run that holds it (a service holding it for the whole run, then the target's own hold).
      if (current && current.runId === runId) return work(current.lease);
      // Wait for this process's earlier runs on the environment, then take the lease; with none
      // waiting, the lease is taken (or refused) before hold() returns.
      const previous = tails.get(environment);
      const run = previous ? previous.then(() => holdInTurn(environment, runId, work)) : holdInTurn(environment, runId, work);
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      tails.set(environment, settled);
      void settled.then(() => {
        if (tails.get(environment) === settled) tails.delete(environment);
      });
      return run;
    },
    adHocRunId: () => `pid${self.pid}-change-${++adHoc}`,
    releaseAll() {
      for (const environment of [...held.keys()]) release(environment);
    },
  };
}
