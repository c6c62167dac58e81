// `history.list` and `history.get`: what Convoy has done, newest first, from the store; a release's
// full record from the releases running in this process, else from the store.
import type { historyCommands } from '../../../shared/contract/history.js';
import { ConvoyError } from '../../../shared/errors.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import type { HistoryStore } from '../../core/ports/history-store.js';
import type { LiveReleases } from '../release/live-releases.js';
import { storedReport } from '../release/store-recorder.js';

export interface HistoryFeatureDeps {
  store: Pick<HistoryStore, 'listReleases' | 'listEvents' | 'getRelease'>;
  live?: Pick<LiveReleases, 'report'>;
}

export function historyHandlers(deps: HistoryFeatureDeps): FeatureHandlers<keyof typeof historyCommands> {
  return {
    'history.list': (input) => ({ releases: deps.store.listReleases({ limit: input.limit }) }),
    'history.get': (input) => {
      const report = deps.live?.report(input.id) ?? storedReport(deps.store, input.id);
      if (report) return report;
      const row = deps.store.getRelease(input.id);
      throw new ConvoyError(
        'NOT_FOUND',
        row ? `${input.id} is a ${row.kind} run, not a release with a record (convoy history lists both)` : `No release ${input.id} in history; convoy history lists them`,
      );
    },
  };
}
