// `workspace.open`: the project graph of a folder; announces it with `workspace.opened`.
import type { workspaceCommands } from '../../../shared/contract/workspace.js';
import type { FeatureHandlers } from '../../core/dispatcher.js';
import type { EventSink } from '../../core/events.js';
import type { WorkspacePort } from '../../core/ports/workspace.js';

export interface WorkspaceFeatureDeps {
  workspace: Pick<WorkspacePort, 'open'>;
  events: EventSink;
}

export function workspaceHandlers(deps: WorkspaceFeatureDeps): FeatureHandlers<keyof typeof workspaceCommands> {
  return {
    'workspace.open': async (input, ctx) => {
      const graph = await deps.workspace.open(input.dir, {
        refresh: input.refresh ?? false,
        ...(input.nx ? { nx: input.nx } : {}),
        progress: ctx.progress,
        signal: ctx.signal,
      });
      deps.events.emit('workspace.opened', { root: graph.root, projects: graph.projects.length, cached: graph.cached });
      return graph;
    },
  };
}
