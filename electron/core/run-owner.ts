// Who owns a run: the process that started it (pid, the host it runs on, and the process's start time,
// so a pid the system reused for another process does not pass for the owner). Everything Convoy
// creates in Docker carries these as labels next to the run id, so a later process can tell from the
// labels alone whether the owner is gone and the resource is a leftover (electron/core/leftovers.ts).
// The judgement is pure: the process facts come from an adapter (electron/adapters/system).

import type { RunOwner } from '../../shared/runs.js';

export type { RunOwner };

/** This process, and what it can learn about others on this host. */
export interface OwnerProbe {
  self: RunOwner;
  /** Whether a process with this pid exists on this host. */
  isAlive(pid: number): boolean;
  /** The start token of a live pid on this host, or null when it cannot be read. */
  startOf(pid: number): string | null;
}

export const OWNER_LABELS = {
  /** The run (build, release, rollback) that created the resource. */
  run: 'dev.convoy.run',
  pid: 'dev.convoy.owner-pid',
  host: 'dev.convoy.owner-host',
  started: 'dev.convoy.owner-started',
  /**
   * The data directory (store) the run is recorded in, as a short hash: a process sweeps only what runs
   * of its own store left, so two Convoy homes (or two test suites) on one engine never judge each other's.
   */
  scope: 'dev.convoy.scope',
} as const;

/** The labels that name a run and its owner, for anything created in Docker. */
export function runLabels(runId: string, owner: RunOwner, scope: string | null = null): Record<string, string> {
  return {
    ...(scope === null ? {} : { [OWNER_LABELS.scope]: scope }),
    [OWNER_LABELS.run]: runId,
    [OWNER_LABELS.pid]: String(owner.pid),
    [OWNER_LABELS.host]: owner.host,
    ...(owner.startedAt === null ? {} : { [OWNER_LABELS.started]: owner.startedAt }),
  };
}

/** The run and owner named by a resource's labels, or null when they are missing or malformed. */
export function ownerFromLabels(labels: Record<string, string> | null | undefined): { runId: string; owner: RunOwner; scope: string | null } | null {
  const runId = labels?.[OWNER_LABELS.run];
  const pid = Number(labels?.[OWNER_LABELS.pid]);
  const host = labels?.[OWNER_LABELS.host];
  if (!runId || !host || !Number.isInteger(pid) || pid <= 0) return null;
  return { runId, owner: { pid, host, startedAt: labels?.[OWNER_LABELS.started] ?? null }, scope: labels?.[OWNER_LABELS.scope] ?? null };
}

/**
 * Why the owner is gone, or null while it is (or may be) alive. Only an owner on this host can be
 * judged: a pid that no longer exists, or one now held by a process that started at another time.
 */
export function ownerGone(owner: RunOwner, probe: OwnerProbe): string | null {
  if (owner.host !== probe.self.host) return null;
  if (owner.pid === probe.self.pid && (owner.startedAt === null || owner.startedAt === probe.self.startedAt)) return null;
  if (!probe.isAlive(owner.pid)) return `process ${owner.pid} on ${owner.host} no longer exists`;
  if (owner.startedAt !== null) {
    const now = probe.startOf(owner.pid);
    if (now !== null && now !== owner.startedAt) return `process ${owner.pid} on ${owner.host} has exited (its pid now belongs to another process)`;
  }
  return null;
}
