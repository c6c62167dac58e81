// `target.status` / `target.revisions` / `target.rollback`: one environment of convoy.yaml.
import type { targetCommands } from '../../../shared/contract/target.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import { type TargetOpsDeps, targetRevisions, targetRollback, targetStatus } from './target-ops.js';

export function targetHandlers(deps: TargetOpsDeps): FeatureHandlers<keyof typeof targetCommands> {
  return {
    'target.status': (input, ctx) => targetStatus(input, deps, { progress: ctx.progress, signal: ctx.signal }),
    'target.revisions': (input, ctx) => targetRevisions(input, deps, { progress: ctx.progress, signal: ctx.signal }),
    'target.rollback': (input, ctx) => targetRollback(input, deps, { progress: ctx.progress, signal: ctx.signal }),
  };
}
