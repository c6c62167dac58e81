// Composition root: builds the core with real adapters. Transports (IPC, WebSocket, in-process) and
// the CLI all start from here, so they serve the same dispatcher.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { VERSION } from './version.js';
import type { TransportName } from './core/dispatcher.js';
import { type Dispatcher, createDispatcher } from './core/dispatcher.js';
import { type EventBus, createEventBus } from './core/events.js';
import { type RedactionGate, createRedactionGate } from './core/redact.js';
import { dockerConfigSecrets, kubeconfigSecrets } from './adapters/config/known-secrets.js';
import type { DockerEnginePort } from './core/ports/docker-engine.js';
import type { ImageBuilderPort } from './core/ports/image-builder.js';
import type { WorkspacePort } from './core/ports/workspace.js';
import { createDockerEngine } from './adapters/docker/docker-engine.js';
import { createImageBuilder } from './adapters/docker/image-builder.js';
import { createNxWorkspace } from './adapters/nx/nx-workspace.js';
import { type SqliteStore, openStore } from './adapters/sqlite/sqlite-store.js';
import { runBuild } from './services/build-run.js';
import { targetRevisions, targetRollback, targetStatus } from './services/target-ops.js';
import { createInProcessChannel } from './transports/in-process.js';
import type { Channel } from '../shared/channel.js';

export { VERSION };

export interface AppOptions {
  dataDir: string;
  docker?: DockerEnginePort;
  workspace?: WorkspacePort;
  builder?: ImageBuilderPort;
  /** Environment for config values and secrets (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Told when Convoy tightens its data directory's permissions (default: stderr). */
  notice?: (message: string) => void;
}

export interface App {
  dataDir: string;
  dispatcher: Dispatcher;
  events: EventBus;
  store: SqliteStore;
  /** The one redaction gate every text leaving the core passes. */
  redaction: RedactionGate;
  /** A channel for in-process clients (the CLI, tests). */
  channel(transport?: TransportName): Channel;
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const dataDir = path.resolve(options.dataDir);
  const env = options.env ?? process.env;
  // Seeded with what the machine holds (registry auth, kubeconfig credentials); each workspace's
  // secrets join when its configuration is read.
  const redaction = createRedactionGate([...dockerConfigSecrets(env), ...kubeconfigSecrets(env)]);
  const store = openStore(dataDir, { redact: redaction.value, ...(options.notice ? { notice: options.notice } : {}) });
  const events = createEventBus({ redact: redaction.value });
  const docker = options.docker ?? createDockerEngine();
  const workspace = options.workspace ?? createNxWorkspace({ cacheDir: path.join(dataDir, 'cache', 'graphs') });
  const builder = options.builder ?? createImageBuilder();

  const targetDeps = { workspace, store, redaction, env };
  const dispatcher = createDispatcher({
    events,
    newId: randomUUID,
    redact: redaction.value,
    handlers: {
      'app.info': async (_input, ctx) => ({
        name: 'convoy' as const,
        version: VERSION,
        dataDir,
        transport: ctx.transport,
        docker: await docker.status(),
        storeSchemaVersion: store.schemaVersion(),
      }),
      'history.list': (input) => ({ releases: store.listReleases({ limit: input.limit }) }),
      'workspace.open': async (input, ctx) => {
        const graph = await workspace.open(input.dir, {
          refresh: input.refresh ?? false,
          progress: ctx.progress,
          signal: ctx.signal,
        });
        events.emit('workspace.opened', { root: graph.root, projects: graph.projects.length, cached: graph.cached });
        return graph;
      },
      'build.run': (input, ctx) =>
        runBuild(
          input,
          { workspace, builder, docker, store, events, newId: randomUUID, env: options.env, redaction },
          { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId },
        ),
      'target.status': (input, ctx) => targetStatus(input, targetDeps, { progress: ctx.progress, signal: ctx.signal }),
      'target.revisions': (input, ctx) => targetRevisions(input, targetDeps, { progress: ctx.progress, signal: ctx.signal }),
      'target.rollback': (input, ctx) => targetRollback(input, targetDeps, { progress: ctx.progress, signal: ctx.signal }),
      'affected.compute': (input, ctx) =>
        workspace.affected(
          { dir: input.dir, base: input.base, head: input.head, uncommitted: input.uncommitted, allowCycles: input.allowCycles },
          { progress: ctx.progress, signal: ctx.signal },
        ),
    },
  });

  return {
    dataDir,
    dispatcher,
    events,
    store,
    redaction,
    channel: (transport = 'in-process') => createInProcessChannel(dispatcher, events, transport),
    async close() {
      await dispatcher.idle();
      await workspace.close?.();
      store.close();
    },
  };
}
