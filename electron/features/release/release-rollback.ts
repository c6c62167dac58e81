// `release.rollback`: undoes a whole finished release in one environment — every service it changed
// there, in reverse wave order, back to the revision that was live before it — under that
// environment's lock. Journaled as a `<environment>:rollback` stage of the release itself, whose
// record then shows the rollbacks and the state `rolled-back` (sent as `release.updated` too).
import { ConvoyError } from '../../../shared/errors.js';
import type { RollbackEntry } from '../../../shared/release-report.js';
import { toDeployUnit } from '../../core/deploy-units.js';
import { createRedactionGate } from '../../core/redact.js';
import { environmentsUpTo } from '../../core/release/environments.js';
import { isRestored, rollbackServices } from '../../core/release/rollback.js';
import type { ReleaseRunContext, ReleaseRunDeps } from './release-run.js';
import { REPORT_EVENT, stageJournal, storeStatus, storedReport } from './store-recorder.js';

export interface ReleaseRollbackInput {
  dir: string;
  releaseId: string;
  environment: string;
}

export async function rollbackRelease(input: ReleaseRollbackInput, deps: ReleaseRunDeps, ctx: ReleaseRunContext = {}) {
  const env = deps.env ?? process.env;
  const root = deps.config.workspaceRoot(input.dir);
  const { config, file } = deps.config.workspaceConfig(root);
  const [settings] = environmentsUpTo(config, input.environment, { only: true, file });
  if (deps.live.report(input.releaseId)) {
    throw new ConvoyError('INVALID_INPUT', `Release ${input.releaseId} is still running: cancel it (release.cancel) and it rolls back what it changed`);
  }
  const report = storedReport(deps.store, input.releaseId);
  if (!report) throw new ConvoyError('NOT_FOUND', `No release ${input.releaseId} in history`);
  const envReport = report.environments.find((e) => e.name === input.environment);
  const touched = (envReport?.services ?? []).filter((s) => s.outcome !== 'not-started' && s.outcome !== 'pending');
  if (!envReport || touched.length === 0) {
    throw new ConvoyError('INVALID_INPUT', `Release ${input.releaseId} changed nothing in ${input.environment}, so there is nothing to roll back`);
  }
  const graph = await deps.workspace.open(root, { progress: ctx.progress, signal: ctx.signal });
  const gate = deps.redaction ?? createRedactionGate();
  gate.add([...deps.config.knownSecrets(env, []), ...deps.config.workspaceSecrets(root, config, env, graph.projects)]);
  const redact = gate.text;
  const target = deps.makeTarget(settings!.config, root, deps.leases, gate, env);
  try {
    const entries: RollbackEntry[] = await deps.lock.hold(input.environment, input.releaseId, async () => {
      const journal = stageJournal(deps.store, input.releaseId, `${input.environment}:rollback`, redact, deps.events, ctx.jobId ?? null);
      const result = await rollbackServices(
        [...touched].sort((a, b) => b.wave - a.wave || b.service.localeCompare(a.service)).map((s) => ({ service: s.service, before: s.before })),
        {
          target,
          journal,
          deadlineMs: settings!.timeoutMs,
          redact,
          runId: input.releaseId,
          onEntry: (entry) => ctx.progress?.(entry.message),
          unit: (service, image) => {
            const project = graph.projects.find((p) => p.name === service);
            const setup = project ? deps.config.projectSetup(root, project) : null;
            if (!setup || !setup.ok) throw new ConvoyError('CONFIG_INVALID', `${service}: its convoy block cannot be read, so it cannot be waited for`);
            const s = setup.setup;
            return toDeployUnit({ service, config: s.config, manifestsDir: s.manifestsDir, image, releaseId: input.releaseId, commit: report.commit, environmentEnv: settings!.config.env }, env, new Set(config.secrets.env)).unit;
          },
        },
      );
      const ok = result.every(isRestored);
      journal.finish(ok ? 'succeeded' : 'failed');
      return result;
    });
    const ok = entries.every(isRestored);
    envReport.rollbacks.push(...entries);
    if (ok) envReport.state = 'rolled-back';
    if (ok && report.environments.every((e) => e.state !== 'succeeded')) report.state = 'rolled-back';
    deps.store.appendEvent(input.releaseId, REPORT_EVENT, report);
    if (ok && report.state === 'rolled-back') deps.store.finishRun(input.releaseId, storeStatus('rolled-back'));
    // Every console showing this release (its history page, another window) redraws it rolled back.
    deps.events.emit('release.updated', { releaseId: input.releaseId, jobId: ctx.jobId ?? null, report });
    return { releaseId: input.releaseId, environment: input.environment, ok, rollbacks: entries };
  } finally {
    await target.close?.();
  }
}
