// Composition root: builds the core with real adapters and joins every feature's handlers
// (electron/features/<feature>/handlers.ts) into one dispatcher. Transports (IPC, WebSocket,
// in-process) and the CLI all start from here, so they serve the same dispatcher.
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { VERSION } from './version.js';
import type { Handlers, JobContext, TransportName } from './core/dispatcher.js';
import { type Dispatcher, createDispatcher } from './core/dispatcher.js';
import { type EventBus, createEventBus } from './core/events.js';
import { type RedactionGate, createRedactionGate } from './core/redact.js';
import { dockerConfigSecrets, kubeconfigSecrets } from './adapters/config/known-secrets.js';
import { type LeaseKeeper, createLeaseKeeper } from './core/lease.js';
import type { DockerEnginePort } from './core/ports/docker-engine.js';
import type { ImageBuilderPort } from './core/ports/image-builder.js';
import type { WorkspacePort } from './core/ports/workspace.js';
import type { TargetFactory } from './core/ports/target-factory.js';
import type { EnvironmentLock, ImageInspector } from './core/release/run-ports.js';
import { createConfigAdapter } from './adapters/config/config-adapter.js';
import { gateObjectsFor, lazyDockerEngine, lazyImageBuilder, lazyImageInspector, lazyImageRegistry } from './adapters/lazy/lazy-adapters.js';
import { createGit } from './adapters/git/git.js';
import { createNxWorkspace } from './adapters/nx/nx-workspace.js';
import { loadWorkspaceConfig } from './adapters/config/load-config.js';
import { createWorkspace } from './features/affected/compute-affected.js';
import { type SqliteStore, StoreError, openMemoryStore, openStore } from './adapters/sqlite/sqlite-store.js';
import { currentProcess, setOwnerScope } from './adapters/system/process-identity.js';
import { CRASH_ENV, withCrashPoint } from './adapters/system/crash-points.js';
import { type InterruptedRun, type ProcessProbe, interruptDeadRuns } from './core/owner.js';
import { createLeftoverEngine } from './adapters/docker/leftover-engine.js';
import { type LeftoverEngine, type Sweep, createSweep } from './core/leftovers.js';
import { crashWanted, installCrashHook } from './core/crash-points.js';
import type { JobName } from '../shared/contract.js';
import { createTargetFor } from './adapters/targets/target-factory.js';
import { affectedHandlers } from './features/affected/handlers.js';
import { appHandlers } from './features/app/handlers.js';
import { buildHandlers } from './features/build/handlers.js';
import { historyHandlers } from './features/history/handlers.js';
import { releaseHandlers } from './features/release/handlers.js';
import { recoverHandlers } from './features/recover/handlers.js';
import { LiveReleases } from './features/release/live-releases.js';
import { leaseLock } from './core/release/lease-lock.js';
import { defaultPushRetry } from './adapters/registry/push-retry.js';
import type { PushRetry } from './core/ports/image-registry.js';
import { targetHandlers } from './features/target/handlers.js';
import { workspaceHandlers } from './features/workspace/handlers.js';
import { createInProcessChannel } from './transports/in-process.js';
import type { Channel } from '../shared/channel.js';

export { VERSION };
/** For `convoy rehearse --clean`: the containers the Docker target made for some services of an environment. */
export { removeServiceContainers } from './adapters/lazy/lazy-adapters.js';

export interface AppOptions {
  dataDir: string;
  docker?: DockerEnginePort;
  workspace?: WorkspacePort;
  builder?: ImageBuilderPort;
  /** Environment for config values and secrets (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Told when Convoy tightens its data directory's permissions (default: stderr). */
  notice?: (message: string) => void;
  images?: ImageInspector;
  lock?: EnvironmentLock;
  /** Attempts and backoff for transient push failures (default: 4 attempts, 1s doubling). */
  pushRetry?: PushRetry;
  /** Makes the deploy target of an environment (tests point Kubernetes at the API test server). */
  makeTarget?: TargetFactory;
  /** This process and how to check others (tests); default: the real process identity. */
  process?: ProcessProbe & import('./core/lease.js').ProcessIdentity;
  /** What the sweep of dead runs' leftovers reads and removes (default: the local Docker Engine). */
  leftovers?: LeftoverEngine;
  /**
   * The command only reads (convoy affected): when the data directory cannot be written, warn and use a
   * store in memory instead of failing. Commands that record anything never set this.
   */
  readOnlyCommand?: boolean;
}

/** The work before which a process sweeps what dead runs left behind (electron/core/leftovers.ts). */
const SWEPT_BEFORE = [
  'build.run',
  'release.start',
  'release.rollback',
  'target.rollback',
  'target.status',
  'target.revisions',
  // convoy recover reads live state and acts on it: a dead run's `-next` candidate is gone first.
  'recover.list',
  'recover.resume',
  'recover.rollback',
] as const satisfies readonly JobName[];

/** The handlers named in SWEPT_BEFORE, each sweeping first (its progress lines say what went). */
function sweepingFirst<H extends Partial<Handlers>>(handlers: H, sweep: Sweep): H {
  const out: Partial<Handlers> = { ...handlers };
  for (const name of SWEPT_BEFORE) {
    const handler = handlers[name] as ((input: unknown, ctx: JobContext) => Promise<unknown>) | undefined;
    if (!handler) continue;
    (out as Record<string, unknown>)[name] = async (input: unknown, ctx: JobContext) => {
      await sweep(ctx.progress);
      return handler(input, ctx);
    };
  }
  return out as H;
}

/**
 * Test-only: CONVOY_TEST_CRASH_AT=<point>[#N] makes the process SIGKILL itself at that code crash point
 * (electron/core/crash-points.ts), so crash tests stop a real process at an exact place. The same
 * variable names store-write points too (adapters/system/crash-points.ts, `intent:…`, `stage:…`); the
 * two sets of names never overlap, so each mechanism ignores the other's.
 */
function installCrashPoints(env: NodeJS.ProcessEnv): void {
  const setting = env.CONVOY_TEST_CRASH_AT;
  if (!setting) return;
  const hits = new Map<string, number>();
  installCrashHook((point) => {
    const count = (hits.get(point) ?? 0) + 1;
    hits.set(point, count);
    if (crashWanted(setting, point, count)) process.kill(process.pid, 'SIGKILL');
  });
}

/** The data directory's store; for a read-only command, a store in memory when the directory cannot be written. */
function openStoreOrMemory(dataDir: string, storeOptions: Parameters<typeof openStore>[1], options: AppOptions): SqliteStore {
  try {
    return openStore(dataDir, storeOptions);
  } catch (err) {
    if (!options.readOnlyCommand || !(err instanceof StoreError) || err.code !== 'STORE_UNWRITABLE') throw err;
    const warn = options.notice ?? ((text: string) => void process.stderr.write(text));
    warn(`convoy: warning: ${err.message} This command only reads, so it goes on without the data directory: the answer is right, but nothing is remembered (every call rebuilds the project graph).\n`);
    return openMemoryStore(storeOptions);
  }
}

export interface App {
  dataDir: string;
  dispatcher: Dispatcher;
  events: EventBus;
  store: SqliteStore;
  /** The one redaction gate every text leaving the core passes. */
  redaction: RedactionGate;
  /** Per-environment leases over the store, held by every change to an environment. */
  leases: LeaseKeeper;
  /** Runs this process found left running by a process that is gone and marked interrupted, at open. */
  interrupted: InterruptedRun[];
  /** This process as run owner and lease holder. */
  process: ProcessProbe;
  /** A channel for in-process clients (the CLI, tests). */
  channel(transport?: TransportName): Channel;
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const dataDir = path.resolve(options.dataDir);
  const env = options.env ?? process.env;
  installCrashPoints(env);
  // Seeded with what the machine holds (registry auth, kubeconfig credentials); each workspace's
  // secrets join when its configuration is read.
  const redaction = createRedactionGate([...dockerConfigSecrets(env), ...kubeconfigSecrets(env)]);
  const self = options.process ?? currentProcess();
  // CONVOY_TEST_CRASH_AT (the crash test only) makes the process SIGKILL itself after a chosen write.
  const storeOptions = { redact: redaction.value, owner: self.self, ...(options.notice ? { notice: options.notice } : {}) };
  const store = withCrashPoint(openStoreOrMemory(dataDir, storeOptions, options), env[CRASH_ENV]);
  // Every process that opens the store (CLI, app, server) finds the runs a dead process left running,
  // marks them interrupted and frees their leases; convoy recover takes it from there (issue 13).
  let interrupted: InterruptedRun[];
  try {
    interrupted = interruptDeadRuns(store, self);
  } catch (err) {
    store.close();
    throw err;
  }
  const events = createEventBus({ redact: redaction.value });
  const leases = createLeaseKeeper({ store, self });
  // Give back held leases when the process exits (a SIGKILL cannot; the next taker reclaims those).
  const releaseOnExit = () => leases.releaseAll();
  process.once('exit', releaseOnExit);
  const docker = options.docker ?? lazyDockerEngine();
  const config = createConfigAdapter();
  const git = createGit();
  const workspace =
    options.workspace ??
    createWorkspace({
      graphs: createNxWorkspace({ cacheDir: path.join(dataDir, 'cache', 'graphs'), convoyVersion: VERSION }),
      git,
      // convoy.yaml's `nx: bundled` picks Convoy's nx for this workspace; an explicit --nx wins.
      nxChoice: (root) => loadWorkspaceConfig(root).config.nx,
    });
  const builder = options.builder ?? lazyImageBuilder();
  // A release running here also takes approvals and cancels other processes write to this store.
  const live = new LiveReleases({ store });
  // What this process creates in Docker names its store, and it sweeps only its store's dead runs.
  const scope = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  setOwnerScope(scope);
  // Runs of any kind whose process died were marked interrupted as the store opened (above); what they
  // left in Docker goes with the first sweep (before build, release, rollback, status, revisions, recover).
  const sweep = createSweep({ engine: options.leftovers ?? createLeftoverEngine(), store, probe: self, scope });

  const releaseDeps = {
    workspace,
    builder,
    docker,
    store,
    events,
    live,
    images: options.images ?? lazyImageInspector(),
    leases,
    lock: options.lock ?? leaseLock(leases, store),
    newId: randomUUID,
    env: options.env,
    redaction,
    config,
    git,
    gateObjects: gateObjectsFor,
    registry: (remember: Parameters<typeof lazyImageRegistry>[0]['remember']) => lazyImageRegistry({ env, remember }),
    pushRetry: options.pushRetry ?? defaultPushRetry(),
    makeTarget: options.makeTarget ?? createTargetFor,
  };
  const dispatcher = createDispatcher({
    events,
    newId: randomUUID,
    redact: redaction.value,
    handlers: sweepingFirst({
      ...appHandlers({ version: VERSION, dataDir, docker, store }),
      ...historyHandlers({ store, live }),
      ...workspaceHandlers({ workspace, events }),
      ...affectedHandlers({ workspace }),
      ...buildHandlers({ workspace, builder, docker, config, git, store, testResults: store, events, newId: randomUUID, env: options.env, redaction }),
      ...targetHandlers({ workspace, store, config, leases, newId: randomUUID, redaction, env, makeTarget: createTargetFor }),
      ...releaseHandlers(releaseDeps),
      ...recoverHandlers({ ...releaseDeps, owner: self.self }),
    }, sweep),
  });

  return {
    dataDir,
    dispatcher,
    events,
    store,
    redaction,
    leases,
    interrupted,
    process: self,
    channel: (transport = 'in-process') => createInProcessChannel(dispatcher, events, transport),
    async close() {
      await dispatcher.idle();
      await workspace.close?.();
      leases.releaseAll();
      process.removeListener('exit', releaseOnExit);
      store.close();
    },
  };
}
