// `build.run`: builds and tests the affected (or named) projects as a run of its own.
import type { buildCommands } from '../../../shared/contract/build.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import { type BuildRunDeps, runBuild } from './build-run.js';

export function buildHandlers(deps: BuildRunDeps): FeatureHandlers<keyof typeof buildCommands> {
  return {
    'build.run': (input, ctx) => runBuild(input, deps, { progress: ctx.progress, signal: ctx.signal, jobId: ctx.jobId }),
  };
}
