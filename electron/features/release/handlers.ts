// `release.*` (issue 12): the plan, running a release, approving or rejecting it while it waits,
// cancelling it, and rolling a finished one back in an environment.
import type { releaseCommands } from '../../../shared/contract/release.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import { type PlanRunDeps, planReleaseRun } from './plan-run.js';
import { diffRelease } from './release-diff.js';
import { rollbackRelease } from './release-rollback.js';
import { type ReleaseRunDeps, defaultPerson, startRelease } from './release-run.js';

export function releaseHandlers(deps: PlanRunDeps & ReleaseRunDeps): FeatureHandlers<keyof typeof releaseCommands> {
  return {
    'release.plan': (input, ctx) => planReleaseRun(input, deps, { progress: ctx.progress, signal: ctx.signal }),
    'release.diff': (input, ctx) => diffRelease(input, deps, { progress: ctx.progress, signal: ctx.signal }),
    'release.start': (input, ctx) => startRelease(input, deps, { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId }),
    'release.approve': (input) => ({
      releaseId: input.releaseId,
      ...deps.live.decide(input.releaseId, 'approved', input.by ?? defaultPerson(), input.environment, input.comment),
      decision: 'approved' as const,
    }),
    'release.reject': (input) => ({
      releaseId: input.releaseId,
      ...deps.live.decide(input.releaseId, 'rejected', input.by ?? defaultPerson(), input.environment, input.comment),
      decision: 'rejected' as const,
    }),
    'release.cancel': (input) => ({ cancelled: deps.live.cancel(input.releaseId) }),
    'release.rollback': (input, ctx) => rollbackRelease(input, deps, { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId }),
  };
}
