// The release feature's command handlers (issue 12): today `release.plan`; the release runner's
// commands (start, approve, cancel, rollback) join here.
import type { Handlers } from '../../core/dispatcher.js';
import { type PlanRunDeps, planReleaseRun } from './plan-run.js';

export type ReleaseHandlers = Pick<Handlers, 'release.plan'>;

export function releaseHandlers(deps: PlanRunDeps): ReleaseHandlers {
  return {
    'release.plan': (input, ctx) => planReleaseRun(input, deps, { progress: ctx.progress, signal: ctx.signal }),
  };
}
