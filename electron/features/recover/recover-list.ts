// `recover.list`: every release a dead process left behind (status `interrupted`), each with what its
// journal says may have happened and, per object, what runs there now (electron/core/release/reconcile.ts).
// Reads only: the targets' status, the store's record and steps.
import type { InterruptedRelease, RecoveredObject } from '../../../shared/contract/recover.js';
import { ConvoyError, toErrorPayload } from '../../../shared/errors.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import type { RunRecord, StepRecord } from '../../core/ports/run-store.js';
import type { DeployTargetPort } from '../../core/ports/deploy-target.js';
import { createRedactionGate } from '../../core/redact.js';
import { type EnvironmentSettings, environmentsUpTo } from '../../core/release/environments.js';
import { reconcile } from '../../core/release/reconcile.js';
import type { ReleaseRunContext, ReleaseRunDeps } from '../release/release-run.js';
import { storedReport } from '../release/store-recorder.js';

/** The record of a release that crashed before its first report: nothing was planned, nothing done. */
function emptyReport(run: RunRecord): ReleaseReport {
  return {
    id: run.id, workspace: run.workspace, target: run.environment ?? '', only: false, base: run.base, head: run.head, commit: null, author: null,
    state: 'running', cause: null, startedAt: run.createdAt, finishedAt: null, affected: [], services: [], order: [], images: [], buildCalls: 0, applies: 0, stages: [], environments: [], pushes: [],
  };
}

export interface Interrupted {
  run: RunRecord;
  report: ReleaseReport;
  settings: EnvironmentSettings[];
  root: string;
}

/** The interrupted release `releaseId`, or a clear error: unknown (NOT_FOUND), not a release or not interrupted (INVALID_INPUT). */
export function loadInterrupted(releaseId: string, dir: string | undefined, deps: ReleaseRunDeps): Interrupted {
  const run = deps.store.getRun(releaseId);
  if (!run) throw new ConvoyError('NOT_FOUND', `No release ${releaseId} in history: convoy recover lists the interrupted ones`);
  if (run.kind !== 'release') throw new ConvoyError('INVALID_INPUT', `${releaseId} is a ${run.kind} run, not a release; only releases are recovered`);
  if (run.status !== 'interrupted') {
    throw new ConvoyError('INVALID_INPUT', `Release ${releaseId} is ${run.status}, not interrupted: only a release whose process died can be resumed or rolled back here (convoy undo rolls back a finished one); nothing was done`);
  }
  const report = storedReport(deps.store, releaseId) ?? emptyReport(run);
  const root = deps.config.workspaceRoot(dir ?? report.workspace);
  const { config, file } = deps.config.workspaceConfig(root);
  const settings = report.target ? environmentsUpTo(config, report.target, { only: report.only, file }) : [];
  return { run, report, settings, root };
}

/** Reads every environment's live status of the release's objects, with the targets closed afterwards. */
export async function reconcileRelease(found: Interrupted, deps: ReleaseRunDeps): Promise<RecoveredObject[]> {
  const env = deps.env ?? process.env;
  const gate = deps.redaction ?? createRedactionGate();
  const targets = new Map<string, DeployTargetPort>();
  try {
    const targetOf = (environment: string): DeployTargetPort => {
      const settings = found.settings.find((s) => s.name === environment);
      if (!settings) throw new ConvoyError('CONFIG_INVALID', `${environment} is no longer an environment of convoy.yaml`);
      let target = targets.get(environment);
      if (!target) {
        target = deps.makeTarget(settings.config, found.root, deps.leases, gate, env);
        targets.set(environment, target);
      }
      return target;
    };
    const objects = await reconcile({
      report: found.report,
      steps: deps.store.listSteps(found.run.id),
      status: async (environment, services) => targetOf(environment).status(services),
      objects: async (environment, refs) => {
        const target = targetOf(environment);
        if (!target.objects) throw new ConvoyError('INVALID_INPUT', `the ${target.kind} target of ${environment} cannot read single objects`);
        return target.objects(refs);
      },
    });
    return objects.map((o) => ({ ...o, message: gate.text(o.message), resources: o.resources.map((r) => ({ ...r, message: gate.text(r.message) })) }));
  } finally {
    await Promise.all([...targets.values()].map((t) => t.close?.()));
  }
}

/** The environment the release was working in: the one of its last stage row (`<env>:<stage>`). */
export function interruptedEnvironment(found: Interrupted, deps: ReleaseRunDeps): { environment: string | null; lastStage: string | null } {
  const stages = deps.store.listStages(found.run.id);
  const lastStage = stages.at(-1)?.name ?? null;
  const names = new Set(found.report.environments.map((e) => e.name));
  const withEnv = [...stages].reverse().find((s) => s.name.includes(':') && names.has(s.name.slice(0, s.name.indexOf(':'))));
  return { environment: withEnv ? withEnv.name.slice(0, withEnv.name.indexOf(':')) : null, lastStage };
}

/** The object a per-object step names, for saying which one may or may not have been written. */
function objectOf(step: StepRecord): { object?: string } {
  const detail = step.detail;
  const object = detail !== null && typeof detail === 'object' && !Array.isArray(detail) ? detail.object : undefined;
  return typeof object === 'string' ? { object } : {};
}

export async function describeInterrupted(found: Interrupted, deps: ReleaseRunDeps): Promise<InterruptedRelease> {
  const steps = deps.store.listSteps(found.run.id);
  let reason = 'its process is gone';
  for (const e of deps.store.listEvents(found.run.id)) if (e.name === 'run.interrupted') reason = e.payload.reason;
  const { environment, lastStage } = interruptedEnvironment(found, deps);
  return {
    releaseId: found.run.id,
    workspace: found.report.workspace,
    target: found.report.target,
    environment,
    lastStage,
    commit: found.report.commit,
    createdAt: found.run.createdAt,
    owner: found.run.owner ?? null,
    reason,
    openSteps: steps.filter((s) => s.finishedAt === null).map((s) => ({ kind: s.kind, target: s.target, ...objectOf(s) })),
    objects: await reconcileRelease(found, deps),
  };
}

export async function listInterrupted(input: { dir?: string }, deps: ReleaseRunDeps, ctx: ReleaseRunContext = {}): Promise<{ releases: InterruptedRelease[] }> {
  const runs = deps.store.listRuns({ limit: 1000, kind: 'release' }).filter((r) => r.status === 'interrupted');
  const releases: InterruptedRelease[] = [];
  for (const run of runs) {
    ctx.progress?.(`Reading what release ${run.id} did`);
    try {
      releases.push(await describeInterrupted(loadInterrupted(run.id, input.dir, deps), deps));
    } catch (err) {
      // One release whose workspace or convoy.yaml is gone does not hide the others.
      const report = storedReport(deps.store, run.id);
      releases.push({
        releaseId: run.id, workspace: run.workspace, target: report?.target ?? run.environment ?? '', environment: null, lastStage: null, commit: report?.commit ?? null,
        createdAt: run.createdAt, owner: run.owner ?? null, reason: `its objects cannot be read: ${toErrorPayload(err).message}`, openSteps: [], objects: [],
      });
    }
  }
  return { releases };
}
