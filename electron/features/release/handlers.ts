// `release.*` (issue 12): today `release.plan`; the release runner's commands (start, approve,
// cancel, rollback) join here.
import type { releaseCommands } from '../../../shared/contract/release.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import { type PlanRunDeps, planReleaseRun } from './plan-run.js';

export function releaseHandlers(deps: PlanRunDeps): FeatureHandlers<keyof typeof releaseCommands> {
  return {
    'release.plan': (input, ctx) => planReleaseRun(input, deps, { progress: ctx.progress, signal: ctx.signal }),
  };
}
