// `history.list`: what Convoy has done, newest first, from the store.
import type { historyCommands } from '../../../shared/contract/history.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import type { HistoryStore } from '../../core/ports/history-store.js';

export interface HistoryFeatureDeps {
  store: Pick<HistoryStore, 'listReleases'>;
}

export function historyHandlers(deps: HistoryFeatureDeps): FeatureHandlers<keyof typeof historyCommands> {
  return {
    'history.list': (input) => ({ releases: deps.store.listReleases({ limit: input.limit }) }),
  };
}
