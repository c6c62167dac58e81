// `release.diff`: the combined server-side diff a release would show in one environment, without
// applying anything. The same pieces as the release itself: the affected stage (selectRelease), the
// build stage the engine runs (so each service has its real image), the target's status (services
// already on their image are skipped), the waves (layerWaves) and the target's dry-run diff, in wave
// order, through the app's redaction gate.
import os from 'node:os';
import type { ReleaseDiffReport } from '../../../shared/contract/release.js';
import { ConvoyError } from '../../../shared/errors.js';
import { runBuildStage } from '../../core/build-stage.js';
import type { LeaseKeeper } from '../../core/lease.js';
import type { ConfigPort } from '../../core/ports/config.js';
import type { GitPort } from '../../core/ports/git.js';
import type { ImageBuilderPort } from '../../core/ports/image-builder.js';
import type { ImageRegistryPort } from '../../core/ports/image-registry.js';
import { knownRegistryReferences, registryRepositoryOf, repositoryOf } from '../../core/release/registry-images.js';
import type { TargetFactory } from '../../core/ports/target-factory.js';
import type { Progress, WorkspacePort } from '../../core/ports/workspace.js';
import { type RedactionGate, createRedactionGate } from '../../core/redact.js';
import { environmentsUpTo } from '../../core/release/environments.js';
import { layerWaves } from '../../core/release/plan.js';
import { type Selected, releaseEnvironment, selectRelease } from './release-setup.js';

export interface ReleaseDiffInput {
  dir: string;
  environment: string;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  projects?: string[];
}

export interface ReleaseDiffDeps {
  workspace: WorkspacePort;
  builder: ImageBuilderPort;
  config: ConfigPort;
  git: Pick<GitPort, 'headCommit' | 'headAuthor'>;
  makeTarget: TargetFactory;
  leases?: LeaseKeeper;
  redaction?: RedactionGate;
  env?: NodeJS.ProcessEnv;
  newId: () => string;
  now?: () => Date;
  /** The engine's records of earlier pushes: a registry environment's diff shows the digest it would deploy. */
  registry?: (remember: (secrets: string[]) => void) => ImageRegistryPort;
}

export interface ReleaseDiffContext {
  progress?: Progress;
  signal?: AbortSignal;
}

export async function diffRelease(input: ReleaseDiffInput, deps: ReleaseDiffDeps, ctx: ReleaseDiffContext = {}): Promise<ReleaseDiffReport> {
  const env = deps.env ?? process.env;
  const now = deps.now ?? (() => new Date());
  const root = deps.config.workspaceRoot(input.dir);
  const { config, file } = deps.config.workspaceConfig(root);
  // An unknown environment is refused before anything is built.
  const [settings] = environmentsUpTo(config, input.environment, { only: true, file });
  if (!settings) throw new ConvoyError('INTERNAL', `environment ${input.environment} has no settings`);

  const kubeconfigs = config.environments.flatMap((e) => (e.target.kind === 'kubernetes' && e.target.kubeconfig ? [deps.config.resolvePath(e.target.kubeconfig, root)] : []));
  const gate = deps.redaction ?? createRedactionGate();
  gate.add(deps.config.knownSecrets(env, kubeconfigs));
  const redact = (line: string) => gate.text(line);
  // The id only labels what would be applied (deploy metadata); nothing is recorded under it.
  const diffId = `diff-${deps.newId()}`;

  const selected: Selected = await selectRelease(input, {
    workspace: deps.workspace,
    configPort: deps.config,
    git: deps.git,
    config,
    env,
    releaseId: diffId,
    environments: [settings.name],
    now,
    progress: ctx.progress,
    signal: ctx.signal,
  });
  gate.add(selected.secrets);
  gate.add(deps.config.workspaceSecrets(selected.root, config, env, selected.projects));
  const base = { workspace: root, environment: settings.name, kind: settings.config.target.kind, base: selected.base, head: selected.head, commit: selected.commit };
  if (selected.services.length === 0) return { ...base, waves: [], skipped: [], images: [], objects: [], text: '' };

  // The engine's build stage, without the tests: the diff needs the image references, not a verdict.
  ctx.progress?.(`Building ${selected.services.length} service image(s)`);
  const built = await runBuildStage(
    selected.builds.map((r) => ({ ...r, test: null })),
    { builder: deps.builder, redact, concurrency: config.build.concurrency ?? Math.max(1, os.availableParallelism()), signal: ctx.signal, progress: ctx.progress },
  );
  if (!built.ok) {
    const error = built.projects.find((p) => p.error)?.error ?? { code: 'BUILD_FAILED', message: 'A project did not build' };
    throw new ConvoyError(error.code, `${redact(error.message)}; nothing was diffed`);
  }
  const imageOf = new Map(built.projects.flatMap((p) => (p.image ? [[p.project, p.image] as const] : [])));
  // In a registry environment the cluster gets `repository@digest`: the digest an earlier push stored,
  // else (never pushed) the registry's tag reference, which the release replaces by the pushed digest.
  const deployedAs = new Map<string, string>();
  const registry = settings.config.registry;
  for (const [service, image] of imageOf) {
    const known = registry && deps.registry ? await knownRegistryReferences(deps.registry((values) => gate.add(values)), registry, image) : [];
    deployedAs.set(service, registry ? (known[0] ?? `${registryRepositoryOf(registry, image)}:${repositoryOf(image).tag}`) : image);
  }

  const target = deps.makeTarget(settings.config, root, deps.leases, gate, env);
  try {
    ctx.progress?.(`Reading what runs in ${settings.name} (${target.kind})`);
    const statuses = new Map((await target.status([...selected.services], { signal: ctx.signal })).map((s) => [s.service, s]));
    const skipped = selected.services.filter((s) => statuses.get(s)?.state === 'ready' && statuses.get(s)?.image === deployedAs.get(s));
    const deploying = selected.services.filter((s) => !skipped.includes(s));
    const waves = layerWaves(deploying, new Map(selected.order.map((o) => [o.service, o.after])));
    const environment = releaseEnvironment(settings, target, {
      releaseId: diffId,
      env,
      secretNames: new Set(config.secrets.env),
      selected: () => selected,
      addSecrets: (values) => gate.add(values),
      gateObjects: async () => [],
    });
    const units = waves.flat().map((service) => environment.unit(service, deployedAs.get(service)!, imageOf.get(service)));
    ctx.progress?.(`Diffing ${units.length} service(s) against ${settings.name}`);
    const diff = units.length > 0 ? await target.diff(units, { signal: ctx.signal }) : { objects: [], text: '' };
    return {
      ...base,
      waves,
      skipped: skipped.map((service) => ({ service, image: imageOf.get(service)!, reason: `${deployedAs.get(service)} already runs in ${settings.name} and is ready` })),
      images: selected.services.map((service) => ({ service, image: imageOf.get(service)! })),
      objects: diff.objects.map((o) => ({ service: o.service, object: o.object, change: o.change })),
      text: redact(diff.text),
    };
  } finally {
    await target.close?.();
  }
}
