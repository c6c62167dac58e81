// `app.info`: what this Convoy is and what it runs on.
import type { appCommands } from '../../../shared/contract/app.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import type { DockerEnginePort } from '../../core/ports/docker-engine.js';
import type { HistoryStore } from '../../core/ports/history-store.js';

export interface AppFeatureDeps {
  version: string;
  dataDir: string;
  docker: Pick<DockerEnginePort, 'status'>;
  store: Pick<HistoryStore, 'schemaVersion'>;
}

export function appHandlers(deps: AppFeatureDeps): FeatureHandlers<keyof typeof appCommands> {
  return {
    'app.info': async (_input, ctx) => ({
      name: 'convoy' as const,
      version: deps.version,
      dataDir: deps.dataDir,
      transport: ctx.transport,
      docker: await deps.docker.status(),
      storeSchemaVersion: deps.store.schemaVersion(),
    }),
  };
}
