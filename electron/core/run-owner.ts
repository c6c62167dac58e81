// The labels naming a run's owner on what Convoy creates in Docker: the process that started the run
// (pid, the host it runs on, and the process's start token, the same one the store records on the run
// row), next to the run id. A later process reads them back and judges with electron/core/owner.ts
// `ownerGone`, the same check as for runs and leases, whether the owner is gone and the resource is a
// leftover (electron/core/leftovers.ts).

import type { RunOwner } from '../../shared/runs.js';

export type { RunOwner };

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
