// `history.list`: what Convoy has done — runs of every kind — newest first, from the store.
// `history.get`: a release's full record, from the releases running in this process, else the store.
import type { historyCommands } from '../../../shared/contract/history.js';
import { ConvoyError } from '../../../shared/errors.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import type { EventStore } from '../../core/ports/event-store.js';
import type { RunStore } from '../../core/ports/run-store.js';
import type { LiveReleases } from '../release/live-releases.js';
import { storedReport } from '../release/store-recorder.js';

export interface HistoryFeatureDeps {
  store: Pick<RunStore, 'listRuns' | 'getRun'> & Pick<EventStore, 'listEvents'>;
  live?: Pick<LiveReleases, 'report'>;
}

export function historyHandlers(deps: HistoryFeatureDeps): FeatureHandlers<keyof typeof historyCommands> {
  return {
    'history.list': (input) => ({ runs: deps.store.listRuns({ limit: input.limit }) }),
    'history.get': (input) => {
      const report = deps.live?.report(input.id) ?? storedReport(deps.store, input.id);
      if (report) return report;
      const row = deps.store.getRun(input.id);
      throw new ConvoyError(
        'NOT_FOUND',
        row ? `${input.id} is a ${row.kind} run, not a release with a record (convoy history lists both)` : `No release ${input.id} in history; convoy history lists them`,
      );
    },
  };
}
