// `release.plan`: the waves a release would deploy, per environment of convoy.yaml, without changing
// anything. Joins the workspace graph and affected set, the projects' convoy blocks (deployable,
// deployAfter), the image each service would get (its content tag, hashed without building), and what
// each environment's target runs now; the ordering itself is the pure planRelease.
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { PlannedEnvironment, ReleasePlanReport } from '../../../shared/contract/release.js';
import { type ErrorPayload, toErrorPayload } from '../../../shared/errors.js';
import { type ProjectFacts, prepareBuildRequests } from '../../core/build-requests.js';
import { imageTag } from '../../core/image-tag.js';
import type { ConfigPort, ProjectSetup } from '../../core/ports/config.js';
import type { DeployTargetPort } from '../../core/ports/deploy-target.js';
import type { ImageBuilderPort } from '../../core/ports/image-builder.js';
import type { ImageRegistryPort } from '../../core/ports/image-registry.js';
import { knownRegistryReferences } from '../../core/release/registry-images.js';
import type { TargetFactory } from '../../core/ports/target-factory.js';
import type { Progress, WorkspacePort } from '../../core/ports/workspace.js';
import { createRedactor } from '../../core/redact.js';
import { environmentsUpTo } from '../../core/release/environments.js';
import { type LiveService, planRelease } from '../../core/release/plan.js';
import { planProjects } from './plan-projects.js';

export interface PlanRunInput {
  dir: string;
  environment?: string;
  only?: boolean;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  projects?: string[];
  live?: boolean;
}

export interface PlanRunDeps {
  workspace: WorkspacePort;
  builder: ImageBuilderPort;
  config: ConfigPort;
  env?: NodeJS.ProcessEnv;
  /** Makes the target for an environment. */
  makeTarget: TargetFactory;
  /** The engine's records of earlier pushes, so a service on its digest in a registry counts as current. */
  registry?: (remember: (secrets: string[]) => void) => ImageRegistryPort;
}

export interface PlanRunContext {
  progress?: Progress;
  signal?: AbortSignal;
}

/** The image each service would deploy: `<repository>:<content tag>`, as the build would tag it. */
async function plannedImages(setups: readonly ProjectSetup[], deps: PlanRunDeps, env: NodeJS.ProcessEnv, secretNames: ReadonlySet<string>): Promise<Record<string, string>> {
  const facts: ProjectFacts[] = setups.map((s) => ({
    project: s.project,
    config: s.config,
    configError: null,
    contextDir: s.contextDir,
    dockerfileExists: s.dockerfileExists,
    dockerfilePath: null,
  }));
  const { requests } = prepareBuildRequests(facts, { env, secretNames, labels: {}, defaultTestTimeoutSeconds: 1 });
  const images: Record<string, string> = {};
  for (const request of requests) {
    // A service whose build args cannot be resolved gets no image here; it is then never skipped.
    if (!request.spec) continue;
    images[request.project] = `${request.spec.repository}:${imageTag(await deps.builder.contentHash(request.spec))}`;
  }
  return images;
}

async function liveStatus(
  environment: EnvironmentConfig,
  root: string,
  services: string[],
  deps: PlanRunDeps,
  ctx: PlanRunContext,
): Promise<{ services: Record<string, LiveService> | null; error: ErrorPayload | null }> {
  if (services.length === 0) return { services: {}, error: null };
  let target: DeployTargetPort | null = null;
  try {
    target = deps.makeTarget(environment, root);
    ctx.progress?.(`Reading what runs in ${environment.name} (${target.kind})`);
    const statuses = await target.status(services, { signal: ctx.signal });
    return { services: Object.fromEntries(statuses.map((s) => [s.service, { image: s.image, state: s.state }])), error: null };
  } catch (err) {
    if (ctx.signal?.aborted) throw err;
    return { services: null, error: toErrorPayload(err) };
  } finally {
    await target?.close?.();
  }
}

export async function planReleaseRun(input: PlanRunInput, deps: PlanRunDeps, ctx: PlanRunContext = {}): Promise<ReleasePlanReport> {
  const env = deps.env ?? process.env;
  const root = deps.config.workspaceRoot(input.dir);
  const { config, file } = deps.config.workspaceConfig(root);
  // An unknown environment is refused before any slow work.
  const environments = environmentsUpTo(config, input.environment, { only: input.only, file });

  ctx.progress?.('Reading the project graph');
  const graph = await deps.workspace.open(input.dir, { progress: ctx.progress, signal: ctx.signal });
  const named = input.projects && input.projects.length > 0 ? [...new Set(input.projects)] : null;
  let reasons: ReleasePlanReport['reasons'];
  let base: string | null = null;
  let head: string | null = null;
  if (named) {
    reasons = named.map((project) => ({ project, explanation: 'named on the command line' }));
  } else {
    const affected = await deps.workspace.affected(
      { dir: input.dir, base: input.base, head: input.head, uncommitted: input.uncommitted },
      { progress: ctx.progress, signal: ctx.signal },
    );
    reasons = affected.projects.map((p) => ({ project: p.name, explanation: p.explanation }));
    base = affected.base;
    head = affected.head;
  }

  const { setups, projects } = planProjects(graph, deps.config);
  const selected = reasons.map((r) => r.project);
  const names = environments.map((e) => e.name);
  const order = planRelease({ projects, selected, environments: names });

  const checkLive = input.live !== false && order.services.length > 0;
  const secretNames = new Set(config.secrets.env);
  const images = checkLive ? await plannedImages(order.services.map((s) => setups.get(s)!), deps, env, secretNames) : {};
  const live: Record<string, Record<string, LiveService>> = {};
  const liveErrors = new Map<string, ErrorPayload | null>();
  if (checkLive) {
    for (const environment of environments) {
      const found = await liveStatus(environment.config, graph.root, order.services, deps, ctx);
      const registry = environment.config.registry;
      if (found.services && registry && deps.registry) {
        // A registry environment runs `repository@digest`: the planned image when it is a digest it was pushed as.
        const port = deps.registry(() => {});
        for (const [service, now] of Object.entries(found.services)) {
          const planned = images[service];
          if (planned && now.image && (await knownRegistryReferences(port, registry, planned)).includes(now.image)) found.services[service] = { ...now, image: planned };
        }
      }
      if (found.services) live[environment.name] = found.services;
      liveErrors.set(environment.name, found.error);
    }
  }
  const plan = planRelease({ projects, selected, environments: names, images, live });

  const kubeconfigs = config.environments.flatMap((e) => (e.target.kind === 'kubernetes' && e.target.kubeconfig ? [deps.config.resolvePath(e.target.kubeconfig, graph.root)] : []));
  const redact = createRedactor([...deps.config.knownSecrets(env, kubeconfigs), ...[...secretNames].flatMap((n) => (env[n] ? [env[n]!] : []))]);
  const planned = plan.environments.map((planEnv, i): PlannedEnvironment => {
    const settings = environments[i]!;
    const error = liveErrors.get(planEnv.name) ?? null;
    return {
      ...planEnv,
      kind: settings.config.target.kind,
      approvalRequired: settings.approvalRequired,
      rollback: settings.rollback,
      live: { checked: checkLive && error === null, error: error ? { code: error.code, message: redact(error.message) } : null },
    };
  });
  return { ...plan, workspace: graph.root, base, head, reasons, images, environments: planned };
}
