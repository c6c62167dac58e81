// `recover.*` (issue 13): list the releases a dead process left interrupted with per-object state, and
// resume or roll one back as the user chooses.
import type { recoverCommands } from '../../../shared/contract/recover.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import { type RecoverDeps, resumeInterrupted, rollbackInterrupted } from './recover-actions.js';
import { listInterrupted } from './recover-list.js';

export function recoverHandlers(deps: RecoverDeps): FeatureHandlers<keyof typeof recoverCommands> {
  return {
    'recover.list': (input, ctx) => listInterrupted(input, deps, { progress: ctx.progress, signal: ctx.signal }),
    'recover.resume': (input, ctx) => resumeInterrupted(input, deps, { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId }),
    'recover.rollback': (input, ctx) => rollbackInterrupted(input, deps, { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId }),
  };
}
