// What a release needs before the engine runs it: the affected stage (graph, affected set or named
// projects, convoy blocks, the deploy order from planRelease, one build request per service) and, per
// environment of the walk, its target, how a service becomes a unit there and what the gates see.
import { DEFAULT_TEST_TIMEOUT_SECONDS, type WorkspaceConfig } from '../../../shared/config.js';
import { ConvoyError } from '../../../shared/errors.js';
import type { WorkspaceProject } from '../../../shared/domain.js';
import { type ProjectFacts, prepareBuildRequests } from '../../core/build-requests.js';
import { toDeployUnit } from '../../core/deploy-units.js';
import type { DeployTargetPort, DeployUnit } from '../../core/ports/deploy-target.js';
import type { Progress, WorkspacePort } from '../../core/ports/workspace.js';
import type { ReleaseSelection } from '../../core/release/engine.js';
import type { EnvironmentSettings } from '../../core/release/environments.js';
import { planRelease } from '../../core/release/plan.js';
import { planProjects } from './plan-projects.js';
import type { ReleaseEnvironment } from '../../core/release/run-ports.js';
import type { ConfigPort, ProjectSetup } from '../../core/ports/config.js';
import type { GitPort } from '../../core/ports/git.js';
import type { GateObject } from '../../core/release/gates.js';
import type { EnvironmentConfig } from '../../../shared/config.js';

export interface SelectInput {
  dir: string;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  projects?: string[];
}

export interface Selected extends ReleaseSelection {
  root: string;
  projects: WorkspaceProject[];
  setups: Map<string, ProjectSetup>;
  /** Values marked secret that the builds resolved, for the redactor. */
  secrets: string[];
}

export async function selectRelease(
  input: SelectInput,
  ctx: { workspace: WorkspacePort; configPort: Pick<ConfigPort, 'projectSetup'>; git: Pick<GitPort, 'headCommit' | 'headAuthor'>; config: WorkspaceConfig; env: NodeJS.ProcessEnv; releaseId: string; environments: string[]; now: () => Date; progress?: Progress; signal?: AbortSignal },
): Promise<Selected> {
  ctx.progress?.('Reading the project graph');
  const graph = await ctx.workspace.open(input.dir, { progress: ctx.progress, signal: ctx.signal });
  const named = input.projects && input.projects.length > 0 ? [...new Set(input.projects)] : null;
  let affected: ReleaseSelection['affected'];
  let base: string | null = null;
  let head: string | null = null;
  if (named) {
    affected = named.map((project) => ({ project, explanation: 'named on the command line' }));
  } else {
    const set = await ctx.workspace.affected({ dir: input.dir, base: input.base, head: input.head, uncommitted: input.uncommitted }, { progress: ctx.progress, signal: ctx.signal });
    affected = set.projects.map((p) => ({ project: p.name, explanation: p.explanation }));
    base = set.base;
    head = set.head;
  }
  const { setups, projects } = planProjects(graph, ctx.configPort);
  const plan = planRelease({ projects, selected: affected.map((a) => a.project), environments: ctx.environments });

  const commit = await ctx.git.headCommit(graph.root);
  const author = await ctx.git.headAuthor(graph.root);
  const facts: ProjectFacts[] = plan.services.map((service) => {
    const s = setups.get(service)!;
    return { project: service, config: s.config, configError: null, contextDir: s.contextDir, dockerfileExists: s.dockerfileExists, dockerfilePath: null };
  });
  const prepared = prepareBuildRequests(facts, {
    env: ctx.env,
    secretNames: new Set(ctx.config.secrets.env),
    labels: {
      ...(commit ? { 'org.opencontainers.image.revision': commit } : {}),
      'org.opencontainers.image.created': ctx.now().toISOString(),
      'dev.convoy.release': ctx.releaseId,
    },
    defaultTestTimeoutSeconds: ctx.config.build.testTimeoutSeconds ?? DEFAULT_TEST_TIMEOUT_SECONDS,
  });
  return { root: graph.root, projects: graph.projects, setups, secrets: prepared.secrets, base, head, commit, author, affected, services: plan.services, order: plan.order, builds: prepared.requests };
}

/** One environment of the walk; `setups` and `commit` come from the affected stage, hence the getter. */
export function releaseEnvironment(
  settings: EnvironmentSettings,
  target: DeployTargetPort,
  ctx: {
    releaseId: string;
    env: NodeJS.ProcessEnv;
    secretNames: ReadonlySet<string>;
    selected: () => Selected;
    addSecrets: (values: string[]) => void;
    /** What the gates see (electron/adapters/gate-inputs): Kubernetes objects as rendered, or Docker units. */
    gateObjects: (environment: EnvironmentConfig, units: readonly DeployUnit[]) => Promise<GateObject[]>;
  },
): ReleaseEnvironment {
  const unit = (service: string, image: string, sourceImage?: string): DeployUnit => {
    const selected = ctx.selected();
    const setup = selected.setups.get(service);
    if (!setup) throw new ConvoyError('INTERNAL', `${service} has no convoy block`);
    const made = toDeployUnit(
      { service, config: setup.config, manifestsDir: setup.manifestsDir, image, sourceImage, releaseId: ctx.releaseId, commit: selected.commit, environmentEnv: settings.config.env },
      ctx.env,
      ctx.secretNames,
    );
    ctx.addSecrets(made.secrets);
    return made.unit;
  };
  return {
    settings,
    target,
    unit,
    gateObjects: (units) => ctx.gateObjects(settings.config, units),
  };
}
