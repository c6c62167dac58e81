// The release engine's EnvironmentLock over the store's per-environment leases (electron/core/lease.ts).
// The lease keeper refuses a holder in another process; inside one process it would queue a second run
// behind the first, but a second release must be refused too, so a lease held here by another run is
// refused first, naming it. The release's deploy targets are leased with the same keeper, so their
// applies and rollbacks run inside this hold (same run id).
import { type LeaseKeeper, busyError } from '../lease.js';
import type { LeaseStore } from '../ports/lease-store.js';
import type { EnvironmentLock } from './run-ports.js';

export function leaseLock(leases: LeaseKeeper, store: Pick<LeaseStore, 'getLease'>): EnvironmentLock {
  return {
    hold(environment, releaseId, work) {
      const holder = store.getLease(environment);
      if (holder && holder.runId !== releaseId) return Promise.reject(busyError(environment, holder));
      return leases.hold(environment, releaseId, () => work());
    },
  };
}
