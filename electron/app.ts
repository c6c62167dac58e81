// Composition root: builds the core with real adapters and joins every feature's handlers
// (electron/features/<feature>/handlers.ts) into one dispatcher. Transports (IPC, WebSocket,
// in-process) and the CLI all start from here, so they serve the same dispatcher.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { VERSION } from './version.js';
import type { TransportName } from './core/dispatcher.js';
import { type Dispatcher, createDispatcher } from './core/dispatcher.js';
import { type EventBus, createEventBus } from './core/events.js';
import type { DockerEnginePort } from './core/ports/docker-engine.js';
import type { ImageBuilderPort } from './core/ports/image-builder.js';
import type { WorkspacePort } from './core/ports/workspace.js';
import type { DeployTargetPort } from './core/ports/deploy-target.js';
import type { EnvironmentLock, ImageInspector } from './core/release/run-ports.js';
import type { EnvironmentConfig } from '../shared/config.js';
import { createDockerEngine } from './adapters/docker/docker-engine.js';
import { createImageBuilder } from './adapters/docker/image-builder.js';
import { createNxWorkspace } from './adapters/nx/nx-workspace.js';
import { type SqliteStore, openStore } from './adapters/sqlite/sqlite-store.js';
import { affectedHandlers } from './features/affected/handlers.js';
import { appHandlers } from './features/app/handlers.js';
import { buildHandlers } from './features/build/handlers.js';
import { historyHandlers } from './features/history/handlers.js';
import { releaseHandlers } from './features/release/handlers.js';
import { LiveReleases } from './features/release/live-releases.js';
import { createFileLock } from './adapters/lock/file-lock.js';
import { createImageInspector } from './adapters/docker/image-inspector.js';
import { targetHandlers } from './features/target/handlers.js';
import { workspaceHandlers } from './features/workspace/handlers.js';
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
  images?: ImageInspector;
  lock?: EnvironmentLock;
  /** Makes the deploy target of an environment (tests point Kubernetes at the API test server). */
  makeTarget?: (environment: EnvironmentConfig, workspaceRoot: string) => DeployTargetPort;
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
  const workspace = options.workspace ?? createNxWorkspace({ cacheDir: path.join(dataDir, 'cache', 'graphs') });
  const builder = options.builder ?? createImageBuilder();
  const live = new LiveReleases();

  const dispatcher = createDispatcher({
    events,
    newId: randomUUID,
    handlers: {
      ...appHandlers({ version: VERSION, dataDir, docker, store }),
      ...historyHandlers({ store, live }),
      ...workspaceHandlers({ workspace, events }),
      ...affectedHandlers({ workspace }),
      ...buildHandlers({ workspace, builder, docker, store, events, newId: randomUUID, env: options.env }),
      ...targetHandlers({ workspace, store }),
      ...releaseHandlers({
        workspace,
        builder,
        docker,
        store,
        events,
        live,
        images: options.images ?? createImageInspector(),
        lock: options.lock ?? createFileLock(dataDir),
        newId: randomUUID,
        env: options.env,
        ...(options.makeTarget ? { makeTarget: options.makeTarget } : {}),
      }),
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
