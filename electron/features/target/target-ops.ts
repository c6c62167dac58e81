// What a release manager asks of an environment outside a release: what runs there, a service's
// revisions, and a rollback of one service. The environment comes from the workspace's convoy.yaml; the
// target (Kubernetes or the local Docker Engine) is made for it. A rollback is recorded in the history
// store as a `target.rollback` event, with who-what-when, before and after it runs.
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { EnvironmentStatus, ServiceRollback, TargetRevision } from '../../../shared/domain.js';
import { ConvoyError, toErrorPayload } from '../../../shared/errors.js';
import type { DeployTargetPort } from '../../core/ports/deploy-target.js';
import type { HistoryStore } from '../../core/ports/history-store.js';
import type { Progress, WorkspacePort } from '../../core/ports/workspace.js';
import { loadProjectSetup, loadWorkspaceConfig } from '../../adapters/config/load-config.js';
import { assertWorkspace } from '../../adapters/nx/nx-workspace.js';
import { createTargetFor } from './targets.js';

export interface TargetOpsDeps {
  workspace: WorkspacePort;
  store: HistoryStore;
  /** Makes the target for an environment (tests inject one). */
  makeTarget?: (environment: EnvironmentConfig, workspaceRoot: string) => DeployTargetPort;
}

export interface TargetOpsContext {
  progress?: Progress;
  signal?: AbortSignal;
}

/** The environment's target; only convoy.yaml is read (the project graph is loaded only when needed). */
function open(deps: TargetOpsDeps, dir: string, environment: string) {
  const root = assertWorkspace(dir);
  const { config, file } = loadWorkspaceConfig(root);
  const env = config.environments.find((e) => e.name === environment);
  if (!env) {
    const known = config.environments.map((e) => e.name);
    throw new ConvoyError(
      'INVALID_INPUT',
      file === null
        ? `${root} has no convoy.yaml, so it has no environment "${environment}"; see docs/configuration.md`
        : `No environment "${environment}" in ${file}; its environments are: ${known.length > 0 ? known.join(', ') : '(none)'}`,
    );
  }
  const target = (deps.makeTarget ?? createTargetFor)(env, root);
  return { root, env, target };
}

/**
 * The services Convoy deploys: projects whose convoy block names an image and whose configured
 * Dockerfile exists (the same rule `convoy build` uses, so a `dockerfile`/`context` setting counts).
 */
function deployableServices(graph: Awaited<ReturnType<WorkspacePort['open']>>): string[] {
  return graph.projects
    .filter((p) => {
      const setup = loadProjectSetup(graph.root, p);
      return setup?.ok === true && setup.setup.dockerfileExists;
    })
    .map((p) => p.name)
    .sort();
}

export async function targetStatus(input: { dir: string; environment: string; services?: string[] }, deps: TargetOpsDeps, ctx: TargetOpsContext = {}): Promise<EnvironmentStatus> {
  const { env, target } = open(deps, input.dir, input.environment);
  try {
    const services =
      input.services && input.services.length > 0
        ? input.services
        : deployableServices(await deps.workspace.open(input.dir, { progress: ctx.progress, signal: ctx.signal }));
    ctx.progress?.(`Asking ${env.name} (${target.kind}) about ${services.length} service(s)`);
    return { environment: env.name, kind: target.kind, services: await target.status(services, { signal: ctx.signal, progress: ctx.progress }) };
  } finally {
    await target.close?.();
  }
}

export async function targetRevisions(
  input: { dir: string; environment: string; service: string },
  deps: TargetOpsDeps,
  ctx: TargetOpsContext = {},
): Promise<{ environment: string; service: string; revisions: TargetRevision[] }> {
  const { env, target } = open(deps, input.dir, input.environment);
  try {
    return { environment: env.name, service: input.service, revisions: await target.revisions(input.service, { signal: ctx.signal, progress: ctx.progress }) };
  } finally {
    await target.close?.();
  }
}

export async function targetRollback(
  input: { dir: string; environment: string; service: string; toRevision?: string },
  deps: TargetOpsDeps,
  ctx: TargetOpsContext = {},
): Promise<ServiceRollback> {
  const { root, env, target } = open(deps, input.dir, input.environment);
  const what = { workspace: root, environment: env.name, kind: target.kind, service: input.service, toRevision: input.toRevision ?? null };
  deps.store.appendEvent(null, 'target.rollback.started', what);
  try {
    const result = await target.rollback(input.service, input.toRevision, { signal: ctx.signal, progress: ctx.progress });
    deps.store.appendEvent(null, 'target.rollback.finished', { ...what, ok: true, from: result.from, to: result.to, current: result.current });
    return { environment: env.name, ...result };
  } catch (err) {
    deps.store.appendEvent(null, 'target.rollback.finished', { ...what, ok: false, error: toErrorPayload(err) });
    throw err;
  } finally {
    await target.close?.();
  }
}
