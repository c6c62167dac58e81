// A small world for the release engine's tests (unit tests in memory, integration tests on real targets): three services (storefront deploys after catalog-api
// and orders-api), two environments (local, then staging with approval), in-memory targets, builder,
// recorder, lock and approver. `version` changes the build input, so each version is a new image.
import { DEFAULT_DEPLOY_CONCURRENCY } from '../../shared/config.js';
import { GatesConfig } from '../../shared/config.js';
import type { EnvironmentConfig } from '../../shared/config.js';
import type { BuildRequest } from '../../electron/core/build-stage.js';
import { type ReleaseRunDeps, type ReleaseRunInput, type ResumeFrom, runRelease } from '../../electron/core/release/engine.js';
import type { EnvironmentSettings } from '../../electron/core/release/environments.js';
import { gateObjectFromDockerUnit } from '../../electron/core/release/gate-objects.js';
import type { Approver, EnvironmentLock, ImageInspector, ReleaseEnvironment } from '../../electron/core/release/run-ports.js';
import type { ImageBuilderPort } from '../../electron/core/ports/image-builder.js';
import type { ImageRegistryPort, PushRetry } from '../../electron/core/ports/image-registry.js';
import type { DeployTargetPort, DeployUnit } from '../../electron/core/ports/deploy-target.js';
import type { TestResultStore } from '../../electron/core/ports/test-results.js';
import { createMemoryStore } from '../fakes/store.js';
import { FakeDeployTarget } from '../fakes/deploy-target.js';
import { FakeImageBuilder } from '../fakes/image-builder.js';
import { FakeApprover, FakeLock, FakeRecorder, fakeClock } from '../fakes/release-run.js';

export const SERVICES = ['catalog-api', 'orders-api', 'storefront'];
export const ORDER = [
  { service: 'catalog-api', after: [] },
  { service: 'orders-api', after: [] },
  { service: 'storefront', after: ['catalog-api', 'orders-api'] },
];

function settings(name: string, approval: boolean, rollback: 'auto' | 'manual' = 'auto', timeoutMs = 60_000, registry?: string): EnvironmentSettings {
  const config = { name, target: { kind: 'docker' }, rollback, gates: GatesConfig.parse({}), env: {}, ...(registry ? { registry } : {}) } as EnvironmentConfig;
  return { name, config, approvalRequired: approval, rollback, gates: config.gates, concurrency: DEFAULT_DEPLOY_CONCURRENCY, timeoutMs };
}

/** One request per service; `variants` gives a service another VERSION build arg than `version`. */
export function builds(version: string, services = SERVICES, variants: Record<string, string> = {}): BuildRequest[] {
  return services.map((project) => ({
    project,
    spec: { project, contextDir: `/ws/apps/${project}`, dockerfile: 'Dockerfile', buildArgs: { VERSION: variants[project] ?? version }, repository: `shop/${project}`, labels: {} },
    problem: null,
    test: { command: ['npm', 'test'], timeoutMs: 60_000, env: {}, stage: null },
  }));
}

/** What a release runs against: the in-memory world of the unit tests, or real targets and images. */
export interface EngineWorld {
  builder: ImageBuilderPort;
  images: ImageInspector;
  lock: EnvironmentLock;
  /** What the engine sees of each target (a test may wrap one). */
  ports: Record<'local' | 'staging', DeployTargetPort>;
  recorders: FakeRecorder[];
  /** Env values every unit gets (the Docker test images print one). */
  unitEnv?: Record<string, string>;
  /** Where a service's Kubernetes manifests are (the Kubernetes test deploys the example's). */
  manifestsDir?: (service: string) => string;
  /** Passed tests remembered across releases, as the app's store does; absent: every test runs. */
  testResults?: TestResultStore;
  /** convoy.yaml's `registry` per environment (issue 16), and the port that pushes there. */
  registries?: Partial<Record<'local' | 'staging', string>>;
  registry?: ImageRegistryPort;
  pushRetry?: PushRetry;
}

/** The fake builder, remembering the image ID of each reference it built (what an engine would report). */
export class RecordingBuilder extends FakeImageBuilder {
  readonly ids = new Map<string, string>();
  override async build(...args: Parameters<FakeImageBuilder['build']>) {
    const result = await super.build(...args);
    this.ids.set(result.image, result.imageId);
    return result;
  }
}

export interface World extends EngineWorld {
  builder: RecordingBuilder;
  lock: FakeLock;
  targets: Record<'local' | 'staging', FakeDeployTarget>;
}

export function createWorld(kind: 'docker' | 'kubernetes' = 'docker'): World {
  const targets = {
    local: new FakeDeployTarget({ environment: 'local', kind }),
    staging: new FakeDeployTarget({ environment: 'staging', kind }),
  };
  const builder = new RecordingBuilder();
  return {
    builder,
    images: { imageId: async (ref) => builder.ids.get(ref) ?? null },
    lock: new FakeLock(),
    targets,
    ports: { ...targets },
    recorders: [],
    testResults: createMemoryStore(),
  };
}

export interface ReleaseOptions {
  id: string;
  version: string;
  to?: 'local' | 'staging';
  only?: boolean;
  approver?: Approver;
  signal?: AbortSignal;
  cancelGraceMs?: number;
  rollback?: 'auto' | 'manual';
  services?: string[];
  variants?: Record<string, string>;
  /** Services whose build requests declare no tests. */
  untested?: string[];
  rerunTests?: boolean;
  /** The environments' deploy timeout (waitReady's deadline); default 60 s. */
  timeoutMs?: number;
  /** Another recorder than a FakeRecorder (the fault tests record into a real store). */
  recorder?: ReleaseRunDeps['recorder'];
  /** Resume an interrupted release (convoy recover --resume). */
  resume?: ResumeFrom;
}

function environment(world: EngineWorld, name: 'local' | 'staging', releaseId: string, rollback: 'auto' | 'manual', timeoutMs?: number): ReleaseEnvironment {
  const unit = (service: string, image: string, source?: string): DeployUnit => ({ service, image, ...(source && source !== image ? { sourceImage: source } : {}), releaseId, commit: 'c0ffee', manifestsDir: world.manifestsDir?.(service) ?? null, port: 8080, health: '/healthz', env: { ...world.unitEnv } });
  return {
    settings: settings(world.ports[name].environment, name === 'staging', rollback, timeoutMs, world.registries?.[name]),
    target: world.ports[name],
    unit,
    gateObjects: async (units) => units.map((u) => gateObjectFromDockerUnit(world.ports[name].environment, u)),
  };
}

export function release(world: EngineWorld, options: ReleaseOptions) {
  const names: Array<'local' | 'staging'> = options.only ? [options.to ?? 'staging'] : options.to === 'local' ? ['local'] : ['local', 'staging'];
  const fake = new FakeRecorder();
  const recorder = options.recorder ?? fake;
  if (!options.recorder) world.recorders.push(fake);
  const services = options.services ?? SERVICES;
  const input: ReleaseRunInput = {
    releaseId: options.id,
    workspace: '/ws',
    target: options.to ?? 'staging',
    only: options.only ?? false,
    environments: names.map((n) => environment(world, n, options.id, options.rollback ?? 'auto', options.timeoutMs)),
    ...(options.resume ? { resume: options.resume } : {}),
    select: async () => ({
      base: 'main',
      head: 'feature',
      commit: 'c0ffee',
      author: 'Ada <ada@example.com>',
      affected: services.map((project) => ({ project, explanation: `${project}: src/index.js` })),
      services,
      order: ORDER.filter((o) => services.includes(o.service)).map((o) => ({ ...o, after: o.after.filter((a) => services.includes(a)) })),
      builds: builds(options.version, services, options.variants).map((b) => (options.untested?.includes(b.project) ? { ...b, test: null } : b)),
    }),
  };
  const deps: ReleaseRunDeps = {
    builder: world.builder,
    images: world.images,
    recorder,
    lock: world.lock,
    approver: options.approver ?? new FakeApprover(),
    clock: fakeClock(),
    redact: (line) => line.replaceAll('s3cret', '[redacted]'),
    buildConcurrency: 2,
    ...(world.testResults ? { testResults: world.testResults } : {}),
    rerunTests: options.rerunTests === true,
    signal: options.signal,
    ...(options.cancelGraceMs === undefined ? {} : { cancelGraceMs: options.cancelGraceMs }),
    ...(world.registry ? { registry: world.registry } : {}),
    ...(world.pushRetry ? { pushRetry: world.pushRetry } : {}),
  };
  return { recorder: fake, done: runRelease(input, deps) };
}

/** image, revision and state of every service, per environment: what "as before" is compared on. */
export async function snapshot(target: DeployTargetPort) {
  return (await target.status(SERVICES)).map((s) => ({ service: s.service, image: s.image, state: s.state }));
}
