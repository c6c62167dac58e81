// What a release manager asks of an environment outside a release: what runs there, a service's
// revisions, and a rollback of one service. The environment comes from the workspace's convoy.yaml; the
// target (Kubernetes or the local Docker Engine) is made for it. A rollback is a run of kind `rollback`:
// it holds the environment's lease for the whole run (another process changing the environment refuses
// it with ENVIRONMENT_BUSY), performs the change as one journal step (`target.rollback`), and records
// `target.rollback.started/finished` events under the run.
import type { EnvironmentStatus, ServiceRollback, TargetRevision, WorkspaceGraph } from '../../../shared/domain.js';
import { ConvoyError, toErrorPayload } from '../../../shared/errors.js';
import { createJournal } from '../../core/journal.js';
import type { LeaseKeeper } from '../../core/lease.js';
import type { ConfigPort } from '../../core/ports/config.js';
import type { EventStore } from '../../core/ports/event-store.js';
import type { RunStore } from '../../core/ports/run-store.js';
import type { TargetFactory } from '../../core/ports/target-factory.js';
import { type Redactor, createRedactor } from '../../core/redact.js';
import type { RedactionGate } from '../../core/redact.js';
import type { Progress, WorkspacePort } from '../../core/ports/workspace.js';
import { redactingTarget } from '../../core/redacting-target.js';
import type { RunOwner } from '../../core/run-owner.js';

export interface TargetOpsDeps {
  workspace: Pick<WorkspacePort, 'open'>;
  store: RunStore & EventStore;
  config: ConfigPort;
  /** Per-environment leases; every change to an environment holds one. */
  leases: LeaseKeeper;
  newId: () => string;
  /** Hides secrets in what the run records; default: nothing to hide. */
  redact?: Redactor;
  /** Makes the target for an environment; given the leases, its changes hold the environment's lease. */
  makeTarget: TargetFactory;
  /** The app's redaction gate: learns this workspace's secrets, and guards the target. */
  redaction?: RedactionGate;
  env?: NodeJS.ProcessEnv;
  /** This process, recorded on each rollback run (`run.owner`) so a later process can tell when it died. */
  owner?: RunOwner;
}

export interface TargetOpsContext {
  progress?: Progress;
  signal?: AbortSignal;
}

/** The environment's target; only convoy.yaml is read (the project graph is loaded only when needed). */
function open(deps: TargetOpsDeps, dir: string, environment: string) {
  const root = deps.config.workspaceRoot(dir);
  const { config, file } = deps.config.workspaceConfig(root);
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
  deps.redaction?.add(deps.config.workspaceSecrets(root, config, deps.env ?? process.env));
  const made = deps.makeTarget(env, root, deps.leases);
  const target = deps.redaction ? redactingTarget(made, deps.redaction) : made;
  return { root, env, target };
}

/**
 * The projects' own secrets (values marked secret, URL passwords) join the gate once the graph is
 * read: a target's answers can carry them (a failed container's last log lines). Returns the graph,
 * or null when it cannot be read (the operation goes on; the graph is not what it asked for).
 */
async function learnProjectSecrets(deps: TargetOpsDeps, dir: string, ctx: TargetOpsContext) {
  if (!deps.redaction) return null;
  const graph = await deps.workspace.open(dir, { progress: ctx.progress, signal: ctx.signal }).catch(() => null);
  if (graph) deps.redaction.add(deps.config.workspaceSecrets(graph.root, deps.config.workspaceConfig(graph.root).config, deps.env ?? process.env, graph.projects));
  return graph;
}

/**
 * The services Convoy deploys: projects whose convoy block names an image and whose configured
 * Dockerfile exists (the same rule `convoy build` uses, so a `dockerfile`/`context` setting counts).
 */
function deployableServices(config: ConfigPort, graph: WorkspaceGraph): string[] {
  return graph.projects
    .filter((p) => {
      const setup = config.projectSetup(graph.root, p);
      return setup?.ok === true && setup.setup.dockerfileExists;
    })
    .map((p) => p.name)
    .sort();
}

export async function targetStatus(input: { dir: string; environment: string; services?: string[] }, deps: TargetOpsDeps, ctx: TargetOpsContext = {}): Promise<EnvironmentStatus> {
  const { env, target } = open(deps, input.dir, input.environment);
  try {
    const learned = await learnProjectSecrets(deps, input.dir, ctx);
    const services =
      input.services && input.services.length > 0
        ? input.services
        : deployableServices(deps.config, learned ?? (await deps.workspace.open(input.dir, { progress: ctx.progress, signal: ctx.signal })));
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
    await learnProjectSecrets(deps, input.dir, ctx);
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
  await learnProjectSecrets(deps, input.dir, ctx);
  const { store } = deps;
  const redact = deps.redact ?? deps.redaction?.text ?? createRedactor([]);
  const what = { workspace: root, environment: env.name, kind: target.kind, service: input.service, toRevision: input.toRevision ?? null };
  const runId = deps.newId();
  try {
    // The lease comes first: a refused rollback changed nothing and is not a run.
    return await deps.leases.hold(env.name, runId, async ({ reclaimed }) => {
      store.createRun({
        id: runId,
        kind: 'rollback',
        workspace: root,
        environment: env.name,
        base: null,
        head: null,
        status: 'running',
        summary: `roll back ${env.name}/${input.service} to ${input.toRevision ? `revision ${input.toRevision}` : 'the previous revision'}`,
      });
      if (deps.owner) store.appendEvent(runId, 'run.owner', deps.owner);
      if (reclaimed) store.appendEvent(runId, 'lease.reclaimed', { environment: env.name, from: reclaimed.holder, reason: reclaimed.reason });
      const stage = store.startStage({ runId, name: 'rollback' });
      const journal = createJournal({ store, runId, stageId: stage.id, redact });
      store.appendEvent(runId, 'target.rollback.started', what);
      try {
        const result = await journal.step(
          { kind: 'target.rollback', target: `${env.name}/${input.service}`, detail: what },
          () => target.rollback(input.service, input.toRevision, { signal: ctx.signal, progress: ctx.progress, runId }),
          (r) => ({ ok: true, detail: { from: r.from, to: r.to, current: r.current } }),
        );
        store.appendEvent(runId, 'target.rollback.finished', { ...what, ok: true, from: result.from, to: result.to, current: result.current });
        store.finishStage(stage.id, 'succeeded');
        store.finishRun(runId, 'succeeded');
        return { environment: env.name, ...result };
      } catch (err) {
        const error = toErrorPayload(err);
        const status = error.code === 'CANCELLED' ? 'cancelled' : 'failed';
        store.appendEvent(runId, 'target.rollback.finished', { ...what, ok: false, error: { code: error.code, message: redact(error.message) } });
        store.finishStage(stage.id, status);
        store.finishRun(runId, status);
        throw err;
      }
    });
  } finally {
    await target.close?.();
  }
}
