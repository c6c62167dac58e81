// Composition root: builds the core with real adapters. Transports (IPC, WebSocket, in-process) and
// the CLI all start from here, so they serve the same dispatcher.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { VERSION } from './version.js';
import type { TransportName } from './core/dispatcher.js';
import { type Dispatcher, createDispatcher } from './core/dispatcher.js';
import { type EventBus, createEventBus } from './core/events.js';
import type { DockerEnginePort } from './core/ports/docker-engine.js';
import type { ImageBuilderPort } from './core/ports/image-builder.js';
import type { WorkspacePort } from './core/ports/workspace.js';
import { createDockerEngine } from './adapters/docker/docker-engine.js';
import { createImageBuilder } from './adapters/docker/image-builder.js';
import { createNxWorkspace } from './adapters/nx/nx-workspace.js';
import { gitPort } from './adapters/git/git.js';
import { loadWorkspaceConfig } from './adapters/config/load-config.js';
import { createWorkspace } from './features/affected/compute-affected.js';
import { affectedHandlers } from './features/affected/handlers.js';
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
}

export interface App {
  dataDir: string;
  dispatcher: Dispatcher;
  events: EventBus;
  store: SqliteStore;
  /** A channel for in-process clients (the CLI, tests). */
  channel(transport?: TransportName): Channel;
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const dataDir = path.resolve(options.dataDir);
  const store = openStore(dataDir);
  const events = createEventBus();
  const docker = options.docker ?? createDockerEngine();
  const workspace =
    options.workspace ??
    createWorkspace({
      graphs: createNxWorkspace({ cacheDir: path.join(dataDir, 'cache', 'graphs') }),
      git: gitPort,
      // convoy.yaml's `nx: bundled` picks Convoy's nx for this workspace; an explicit --nx wins.
      nxChoice: (root) => loadWorkspaceConfig(root).config.nx,
    });
  const builder = options.builder ?? createImageBuilder();

  const dispatcher = createDispatcher({
    events,
    newId: randomUUID,
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
          ...(input.nx ? { nx: input.nx } : {}),
          progress: ctx.progress,
          signal: ctx.signal,
        });
        events.emit('workspace.opened', { root: graph.root, projects: graph.projects.length, cached: graph.cached });
        return graph;
      },
      'build.run': (input, ctx) =>
        runBuild(
          input,
          { workspace, builder, docker, store, events, newId: randomUUID, env: options.env },
          { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId },
        ),
      'target.status': (input, ctx) => targetStatus(input, { workspace, store }, { progress: ctx.progress, signal: ctx.signal }),
      'target.revisions': (input, ctx) => targetRevisions(input, { workspace, store }, { progress: ctx.progress, signal: ctx.signal }),
      'target.rollback': (input, ctx) => targetRollback(input, { workspace, store }, { progress: ctx.progress, signal: ctx.signal }),
      ...affectedHandlers({ workspace }),
    },
  });

  return {
    dataDir,
    dispatcher,
    events,
    store,
    channel: (transport = 'in-process') => createInProcessChannel(dispatcher, events, transport),
    async close() {
      await dispatcher.idle();
      await workspace.close?.();
      store.close();
    },
  };
}
