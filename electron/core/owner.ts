// Who runs a run, and whether that process is gone (issue 13). A run records its owner (pid, the
// process's start time, host) when it is created; any later Convoy process that opens the store asks
// here which runs were left `running` or `planned` by a process that no longer exists, marks them
// `interrupted` and frees the environment leases their processes held. The rule is pid + start time +
// host, never a timeout: a run whose process is alive (a long approval, a slow rollout) is never touched,
// and a pid reused by another program after the owner died does not pass for the owner.
import type { RunOwner } from '../../shared/runs.js';
import type { EventStore } from './ports/event-store.js';
import type { LeaseStore } from './ports/lease-store.js';
import type { RunRecord, RunStore } from './ports/run-store.js';

export type { RunOwner };

/** This process, and a way to ask about another process on this host. */
export interface ProcessProbe {
  self: RunOwner;
  /**
   * Whether process `pid` exists on this host and, when `startedAt` is given and the platform can tell,
   * started at that time (so it is the same process, not a later one that reuses the pid).
   */
  isAlive(pid: number, startedAt: string | null): boolean;
}

/** Why the owner of a run (or a lease) counts as gone, or null while it may still be at work. */
export function ownerGone(owner: RunOwner | null | undefined, probe: ProcessProbe): string | null {
  if (!owner) {
    // Only a Convoy before schema 5 wrote runs without an owner, and such a Convoy refuses this store.
    return 'it was started by an older Convoy that did not record its process, and no such Convoy can still be writing to this store';
  }
  if (owner.host !== probe.self.host) return null; // another machine's process cannot be checked from here
  if (owner.pid === probe.self.pid && owner.startedAt === probe.self.startedAt) return null;
  if (!probe.isAlive(owner.pid, owner.startedAt)) {
    return `its process ${owner.pid} on ${owner.host}${owner.startedAt ? ` (started ${owner.startedAt})` : ''} no longer exists`;
  }
  return null;
}

export interface DeadRun {
  run: RunRecord;
  reason: string;
}

/** Runs left running (or planned) whose process is gone; pure over the store's answer. */
export function findDeadRuns(store: Pick<RunStore, 'listUnfinishedRuns'>, probe: ProcessProbe): DeadRun[] {
  const dead: DeadRun[] = [];
  for (const run of store.listUnfinishedRuns()) {
    const reason = ownerGone(run.owner, probe);
    if (reason !== null) dead.push({ run, reason });
  }
  return dead;
}

export interface InterruptedRun extends DeadRun {
  /** Environments whose lease the dead process held and that are free again. */
  freedLeases: string[];
}

/**
 * Marks every dead run of any kind (release, build, rollback) `interrupted` (with a `run.interrupted` event saying why and by whom), and frees
 * every lease a gone process holds. Idempotent and safe to race: the store only interrupts a run still
 * unfinished and only deletes a lease still held by the same run.
 */
export function interruptDeadRuns(
  store: Pick<RunStore, 'listUnfinishedRuns' | 'interruptRun' | 'listStages' | 'finishStage'> & Pick<EventStore, 'appendEvent'> & Pick<LeaseStore, 'listLeases' | 'releaseLease'>,
  probe: ProcessProbe,
): InterruptedRun[] {
  const found: InterruptedRun[] = [];
  for (const { run, reason } of findDeadRuns(store, probe)) {
    if (!store.interruptRun(run.id)) continue; // finished or interrupted meanwhile by someone else
    // Its process will never finish the stages it had open; the journal (not stages) says what happened.
    for (const stage of store.listStages(run.id)) if (stage.status === 'running') store.finishStage(stage.id, 'failed');
    store.appendEvent(run.id, 'run.interrupted', { owner: run.owner ?? null, reason, by: probe.self });
    found.push({ run: { ...run, status: 'interrupted' }, reason, freedLeases: [] });
  }
  for (const lease of store.listLeases()) {
    const holder: RunOwner = { pid: lease.pid, host: lease.host, startedAt: lease.processStartedAt ?? null };
    const dead = found.find((f) => f.run.id === lease.runId);
    const gone = dead !== undefined || (holder.host === probe.self.host && ownerGone(holder, probe) !== null);
    if (gone && store.releaseLease(lease.environment, lease.runId)) dead?.freedLeases.push(lease.environment);
  }
  return found;
}
