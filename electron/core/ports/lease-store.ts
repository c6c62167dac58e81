// Per-environment leases: at most one run changes an environment at a time, across every Convoy
// process on one store (the CLI, `convoy serve`, the desktop app). The store only keeps the rows and
// swaps them atomically; electron/core/lease.ts decides when a holder is gone and keeps the heartbeat.
export interface LeaseHolder {
  runId: string;
  pid: number;
  host: string;
  /** When the holder took the lease. */
  startedAt: string;
  /** The holder's last sign of life. */
  heartbeatAt: string;
  /** When the holder's process started (electron/core/owner.ts), so a reused pid is not taken for it; null if unknown. */
  processStartedAt?: string | null;
}

export interface LeaseRecord extends LeaseHolder {
  environment: string;
}

export interface LeaseRequest {
  environment: string;
  runId: string;
  pid: number;
  host: string;
  processStartedAt?: string | null;
}

export type AcquireResult =
  | { acquired: true; lease: LeaseRecord; /** The dead holder this call replaced, if any. */ reclaimed: LeaseRecord | null }
  | { acquired: false; holder: LeaseRecord };

export interface LeaseStore {
  /**
   * In one transaction: takes the environment's lease when nobody holds it, or when `isGone(holder)`
   * says the current holder is dead; otherwise leaves it and answers the holder.
   */
  acquireLease(request: LeaseRequest, isGone: (holder: LeaseRecord) => boolean): AcquireResult;
  /** Refreshes heartbeatAt; false when this run no longer holds the lease (it was reclaimed). */
  heartbeatLease(environment: string, runId: string): boolean;
  /** Gives the lease up; false when this run did not hold it. */
  releaseLease(environment: string, runId: string): boolean;
  getLease(environment: string): LeaseRecord | null;
  /** Every lease held now (a process that opens the store frees the ones whose holder is gone). */
  listLeases(): LeaseRecord[];
}
