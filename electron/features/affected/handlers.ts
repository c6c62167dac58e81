// The affected feature's command handlers: the dispatcher's entry into compute-affected.ts (through the
// workspace port the composition root built).
import type { Handlers } from '../../core/dispatcher.js';
import type { WorkspacePort } from '../../core/ports/workspace.js';

export function affectedHandlers(deps: { workspace: WorkspacePort }): Pick<Handlers, 'affected.compute'> {
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
