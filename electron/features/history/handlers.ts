// `history.list`: what Convoy has done — runs of every kind — newest first, from the store.
import type { historyCommands } from '../../../shared/contract/history.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import type { RunStore } from '../../core/ports/run-store.js';

export interface HistoryFeatureDeps {
  store: Pick<RunStore, 'listRuns'>;
}

export function historyHandlers(deps: HistoryFeatureDeps): FeatureHandlers<keyof typeof historyCommands> {
  return {
    'history.list': (input) => ({ runs: deps.store.listRuns({ limit: input.limit }) }),
  };
}
