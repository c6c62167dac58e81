// `release.*` (issue 12): the plan, running a release, approving or rejecting it while it waits,
// cancelling it, and rolling a finished one back in an environment.
import type { releaseCommands } from '../../../shared/contract/release.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import { type PlanRunDeps, planReleaseRun } from './plan-run.js';
import { diffRelease } from './release-diff.js';
import { rollbackRelease } from './release-rollback.js';
import { type ReleaseRunDeps, defaultPerson, startRelease } from './release-run.js';
import { decideInStore, requestCancelInStore } from './stored-decision.js';

export function releaseHandlers(deps: PlanRunDeps & ReleaseRunDeps): FeatureHandlers<keyof typeof releaseCommands> {
  /** In this process the waiting release is answered at once; one running elsewhere reads it from the store. */
  const decide = (input: { releaseId: string; environment?: string; by?: string; comment?: string }, decision: 'approved' | 'rejected') => {
    const by = input.by ?? defaultPerson();
    if (deps.live.has(input.releaseId)) return deps.live.decide(input.releaseId, decision, by, input.environment, input.comment);
    return decideInStore(deps.store, { releaseId: input.releaseId, decision, by, environment: input.environment, comment: input.comment });
  };
  return {
    'release.plan': (input, ctx) => planReleaseRun(input, deps, { progress: ctx.progress, signal: ctx.signal }),
    'release.diff': (input, ctx) => diffRelease(input, deps, { progress: ctx.progress, signal: ctx.signal }),
    'release.start': (input, ctx) => startRelease(input, deps, { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId }),
    'release.approve': (input) => ({ releaseId: input.releaseId, ...decide(input, 'approved'), decision: 'approved' as const }),
    'release.reject': (input) => ({ releaseId: input.releaseId, ...decide(input, 'rejected'), decision: 'rejected' as const }),
    'release.cancel': (input) => (deps.live.has(input.releaseId) ? { cancelled: deps.live.cancel(input.releaseId) } : requestCancelInStore(deps.store, input.releaseId, defaultPerson())),
    'release.rollback': (input, ctx) => rollbackRelease(input, deps, { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId }),
  };
}
