// ConfigPort over the files: convoy.yaml and the projects' `convoy` blocks (load-config.ts), paths as
// the user wrote them (paths.ts) and the credentials on the machine (known-secrets.ts).
import type { ConfigPort } from '../../core/ports/config.js';
import { assertWorkspace } from '../nx/nx-workspace.js';
import { dockerConfigSecrets, kubeconfigSecrets } from './known-secrets.js';
import { loadProjectSetup, loadWorkspaceConfig } from './load-config.js';
import { expandPath } from './paths.js';
import { workspaceSecrets } from './workspace-secrets.js';

export function createConfigAdapter(): ConfigPort {
  return {
    workspaceRoot: assertWorkspace,
    workspaceConfig: loadWorkspaceConfig,
    projectSetup: loadProjectSetup,
    resolvePath: expandPath,
    knownSecrets: (env, kubeconfigFiles) => [...dockerConfigSecrets(env), ...kubeconfigSecrets(env, kubeconfigFiles)],
    workspaceSecrets,
  };
}
