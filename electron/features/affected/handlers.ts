// `affected.compute`: the projects a change affects, and why. The orchestration is compute-affected.ts,
// reached through the workspace port the composition root built with it.
import type { affectedCommands } from '../../../shared/contract/affected.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import type { WorkspacePort } from '../../core/ports/workspace.js';

export interface AffectedFeatureDeps {
  workspace: Pick<WorkspacePort, 'affected'>;
}

export function affectedHandlers(deps: AffectedFeatureDeps): FeatureHandlers<keyof typeof affectedCommands> {
  return {
    'affected.compute': (input, ctx) =>
      deps.workspace.affected(
        {
          dir: input.dir,
          base: input.base,
          head: input.head,
          uncommitted: input.uncommitted,
          untracked: input.untracked,
          files: input.files,
          allowCycles: input.allowCycles,
          nx: input.nx,
        },
        { progress: ctx.progress, signal: ctx.signal },
      ),
  };
}
