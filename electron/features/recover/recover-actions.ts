// `recover.resume` and `recover.rollback`: the user's choice for an interrupted release, never taken
// automatically. Both first take the release on (interrupted → running, owned by this process, in one
// conditional update, so two processes cannot both act on it), then:
//  * resume: the release engine again under the same id, from its record — the interrupted run's
//    images reused (refused when one is gone, or when the build had not finished and the workspace
//    moved to another commit), its approvals reused, services it verifiably finished not applied
//    again, the original "before" revisions kept as rollback targets;
//  * rollback: every service it changed (or may have changed) in the environment it was interrupted in,
//    in reverse wave order, back to what ran before (electron/core/release/rollback.ts).
import type { RecoverResult } from '../../../shared/contract/recover.js';
import { ConvoyError } from '../../../shared/errors.js';
import type { LiveRevision, ReleaseReport, RollbackEntry } from '../../../shared/release-report.js';
import type { RunOwner } from '../../../shared/runs.js';
import { toDeployUnit } from '../../core/deploy-units.js';
import { createRedactionGate } from '../../core/redact.js';
import { completeImages } from '../../core/release/engine.js';
import { writtenObjects } from '../../core/release/object-journal.js';
import { isRestored, rollbackServices } from '../../core/release/rollback.js';
import type { ApprovalDecision } from '../../core/release/run-ports.js';
import type { ApprovalMode } from '../release/live-releases.js';
import { type ReleaseRunContext, type ReleaseRunDeps, type ReleaseStartInput, startRelease } from '../release/release-run.js';
import { REPORT_EVENT, stageJournal, storeStatus } from '../release/store-recorder.js';
import { type Interrupted, interruptedEnvironment, loadInterrupted, reconcileRelease } from './recover-list.js';

export interface RecoverDeps extends ReleaseRunDeps {
  /** This process, the new owner of a release it takes on. */
  owner: RunOwner;
}

function takeOn(found: Interrupted, action: 'resume' | 'rollback', deps: RecoverDeps): void {
  if (!deps.store.resumeRun(found.run.id, deps.owner)) {
    throw new ConvoyError('INVALID_INPUT', `Release ${found.run.id} was taken on by another process meanwhile; nothing was done here`);
  }
  deps.store.appendEvent(found.run.id, 'release.recovered', { action, by: deps.owner });
}

/** Puts a release taken on back to interrupted when the action could not start (nothing was done). */
function giveBack(found: Interrupted, deps: RecoverDeps): void {
  deps.store.interruptRun(found.run.id);
}

function recordedInput(found: Interrupted, deps: RecoverDeps, root: string): ReleaseStartInput {
  let input: Record<string, unknown> = {};
  for (const e of deps.store.listEvents(found.run.id)) if (e.name === 'release.input') input = e.payload.input;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const projects = Array.isArray(input.projects) ? input.projects.filter((p): p is string => typeof p === 'string') : undefined;
  return {
    dir: root,
    environment: str(input.environment) ?? found.report.target,
    only: input.only === true || found.report.only,
    ...(str(input.base) ? { base: str(input.base)! } : {}),
    ...(str(input.head) ? { head: str(input.head)! } : {}),
    ...(input.uncommitted === true ? { uncommitted: true } : {}),
    ...(projects && projects.length > 0 ? { projects } : {}),
  };
}

/** Why resuming would not deploy what the release built and tested, or null when it can go on. */
async function resumeRefusal(found: Interrupted, deps: RecoverDeps): Promise<string | null> {
  const images = completeImages(found.report);
  if (images) {
    for (const i of images) {
      const id = await deps.images.imageId(i.image!);
      if (id !== i.imageId) {
        return `${i.service}'s image ${i.image} is ${id === null ? 'gone from the Docker Engine' : `now another image (${id}, built as ${i.imageId})`}; resuming would have to rebuild it, which need not give what was tested. Roll back (--rollback) and release again`;
      }
    }
    return null;
  }
  const now = await deps.git.headCommit(found.root);
  if (found.report.commit !== null && now !== found.report.commit) {
    return `the release stopped before its images were built and tested, and the workspace moved from commit ${found.report.commit} to ${now ?? 'no commit'}: resuming would build other code than the release was started on. Check out ${found.report.commit} to resume, or roll back (--rollback) and release again`;
  }
  return null;
}

function approvalsOf(found: Interrupted, deps: RecoverDeps): Map<string, ApprovalDecision> {
  const approvals = new Map<string, ApprovalDecision>();
  for (const s of deps.store.listSteps(found.run.id)) {
    if (s.kind !== 'release.approval' || !s.ok || !s.result || typeof s.result !== 'object' || Array.isArray(s.result)) continue;
    const r = s.result as Record<string, unknown>;
    if (r.decision === 'approved') approvals.set(s.target, { decision: 'approved', by: String(r.by), at: String(r.at), comment: typeof r.comment === 'string' ? r.comment : null });
  }
  return approvals;
}

export async function resumeInterrupted(input: { releaseId: string; dir?: string; approval?: ApprovalMode; by?: string }, deps: RecoverDeps, ctx: ReleaseRunContext = {}): Promise<RecoverResult> {
  const found = loadInterrupted(input.releaseId, input.dir, deps);
  const refusal = await resumeRefusal(found, deps);
  if (refusal) throw new ConvoyError('RESUME_REFUSED', `Release ${found.run.id} cannot be resumed: ${refusal}; nothing was done`);
  const objects = await reconcileRelease(found, deps);
  const before = new Map<string, Map<string, LiveRevision>>();
  for (const o of objects) {
    if (o.before === null || o.journal === 'none') continue;
    if (!before.has(o.environment)) before.set(o.environment, new Map());
    before.get(o.environment)!.set(o.service, o.before);
  }
  const start = { ...recordedInput(found, deps, found.root), approval: input.approval ?? 'refuse', ...(input.by ? { by: input.by } : {}) };
  takeOn(found, 'resume', deps);
  let report: ReleaseReport;
  try {
    report = await startRelease(start, deps, ctx, { releaseId: found.run.id, from: { previous: found.report, before, approvals: approvalsOf(found, deps), written: writtenObjects(deps.store.listSteps(found.run.id)) } });
  } catch (err) {
    // Refused before the engine began (config, Docker, approval): the release stays interrupted.
    if (deps.store.getRun(found.run.id)?.status === 'running') giveBack(found, deps);
    throw err;
  }
  const after = await reconcileRelease({ ...found, report }, deps);
  return { releaseId: found.run.id, action: 'resume', ok: report.state === 'succeeded', report, rollbacks: [], objects: after, error: report.cause };
}

export async function rollbackInterrupted(input: { releaseId: string; dir?: string }, deps: RecoverDeps, ctx: ReleaseRunContext = {}): Promise<RecoverResult> {
  const found = loadInterrupted(input.releaseId, input.dir, deps);
  const { environment } = interruptedEnvironment(found, deps);
  const objects = await reconcileRelease(found, deps);
  const settings = found.settings.find((s) => s.name === environment);
  // Everything it changed, or may have changed (an intent with no result), where it was interrupted.
  const changed = objects
    .filter((o) => o.environment === environment && o.journal !== 'none' && o.before !== null)
    .sort((a, b) => (b.wave ?? 0) - (a.wave ?? 0) || b.service.localeCompare(a.service));
  if (changed.length > 0 && !settings) throw new ConvoyError('CONFIG_INVALID', `${environment} is no longer an environment of convoy.yaml, so release ${found.run.id} cannot be rolled back there; nothing was done`);
  takeOn(found, 'rollback', deps);
  const env = deps.env ?? process.env;
  const gate = deps.redaction ?? createRedactionGate();
  let entries: RollbackEntry[] = [];
  if (changed.length > 0 && settings && environment) {
    const { config } = deps.config.workspaceConfig(found.root);
    const graph = await deps.workspace.open(found.root, { progress: ctx.progress, signal: ctx.signal });
    gate.add([...deps.config.knownSecrets(env, []), ...deps.config.workspaceSecrets(found.root, config, env, graph.projects)]);
    const target = deps.makeTarget(settings.config, found.root, deps.leases, gate, env);
    try {
      entries = await deps.lock.hold(environment, found.run.id, async () => {
        const journal = stageJournal(deps.store, found.run.id, `${environment}:rollback`, gate.text, deps.events, ctx.jobId ?? null);
        const result = await rollbackServices(
          changed.map((o) => ({ service: o.service, before: o.before! })),
          {
            target,
            journal,
            deadlineMs: settings.timeoutMs,
            redact: gate.text,
            runId: found.run.id,
            onEntry: (entry) => ctx.progress?.(entry.message),
            unit: (service, image) => {
              const project = graph.projects.find((p) => p.name === service);
              const setup = project ? deps.config.projectSetup(found.root, project) : null;
              if (!setup || !setup.ok) throw new ConvoyError('CONFIG_INVALID', `${service}: its convoy block cannot be read, so it cannot be waited for`);
              const s = setup.setup;
              return toDeployUnit({ service, config: s.config, manifestsDir: s.manifestsDir, image, releaseId: found.run.id, commit: found.report.commit, environmentEnv: settings.config.env }, env, new Set(config.secrets.env)).unit;
            },
          },
        );
        journal.finish(result.every(isRestored) ? 'succeeded' : 'failed');
        return result;
      });
    } finally {
      await target.close?.();
    }
  }
  const ok = entries.every(isRestored);
  const report: ReleaseReport = structuredClone(found.report);
  const envReport = report.environments.find((e) => e.name === environment);
  if (envReport) {
    envReport.rollbacks.push(...entries);
    envReport.state = ok ? 'rolled-back' : 'failed';
  }
  report.state = ok ? 'rolled-back' : 'failed';
  report.finishedAt = new Date().toISOString();
  report.cause = { code: 'CANCELLED', message: `The release was interrupted${environment ? ` in ${environment}` : ''} and rolled back there by convoy recover --rollback${ok ? '' : '; some services were NOT restored'}` };
  for (const stage of report.stages) if (stage.state === 'running') stage.state = 'failed';
  deps.store.appendEvent(found.run.id, REPORT_EVENT, report);
  deps.store.finishRun(found.run.id, storeStatus(report.state));
  const after = await reconcileRelease({ ...found, report }, deps);
  return { releaseId: found.run.id, action: 'rollback', ok, report, rollbacks: entries, objects: after, error: ok ? null : { code: 'ROLLBACK_REFUSED', message: entries.filter((e) => !isRestored(e)).map((e) => e.message).join('; ') } };
}
