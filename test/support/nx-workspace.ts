// The workspace port as the app composes it (electron/app.ts): the Nx project-graph adapter, git, and
// the affected feature's orchestration over both. For tests and the bench, which build it without an app.
import { gitPort } from '../../electron/adapters/git/git.js';
import { type NxWorkspaceOptions, createNxWorkspace } from '../../electron/adapters/nx/nx-workspace.js';
import { createWorkspace } from '../../electron/features/affected/compute-affected.js';

export function nxWorkspace(options: NxWorkspaceOptions) {
  return createWorkspace({ graphs: createNxWorkspace(options), git: gitPort });
}
