// What the core and the features need from Convoy's configuration: the workspace's convoy.yaml, each
// project's `convoy` block, paths as the user wrote them, and the credentials found on the machine
// that every log must hide. Implemented over the files in electron/adapters/config.
import type { ProjectConfig, WorkspaceConfig } from '../../../shared/config.js';
import type { WorkspaceProject } from '../../../shared/domain.js';
import type { ConvoyError } from '../../../shared/errors.js';

/** What Convoy knows about building, testing and deploying one project. */
export interface ProjectSetup {
  project: string;
  /** Absolute project root. */
  root: string;
  /** The file the `convoy` block came from. */
  file: string;
  config: ProjectConfig;
  /** Absolute build context. */
  contextDir: string;
  /** Whether the configured Dockerfile exists in the context. */
  dockerfileExists: boolean;
  /** Absolute manifests folder, when it exists. */
  manifestsDir: string | null;
}

export type ProjectSetupResult = { ok: true; setup: ProjectSetup } | { ok: false; project: string; error: ConvoyError };

/** convoy.yaml as read, or the defaults when the workspace has none (`file: null`). */
export interface WorkspaceConfigFile {
  config: WorkspaceConfig;
  file: string | null;
}

export interface ConfigPort {
  /** The absolute workspace root for a folder; refuses one that does not exist or is not an Nx workspace. */
  workspaceRoot(dir: string): string;
  workspaceConfig(root: string): WorkspaceConfigFile;
  /** The project's `convoy` block (null when it has none), or the error that names the file and field. */
  projectSetup(root: string, project: WorkspaceProject): ProjectSetupResult | null;
  /** A path from convoy.yaml as the user writes it: `~/…` is the home folder, relative is from the root. */
  resolvePath(file: string, root: string): string;
  /** Credentials found on the machine (Docker registry auth, these and the default kubeconfig files). */
  knownSecrets(env: Readonly<Record<string, string | undefined>>, kubeconfigFiles: string[]): string[];
  /**
   * The secrets the workspace's configuration tells of: `secrets.env` values, values marked secret or
   * credential-shaped in convoy.yaml and in these projects' blocks, and the kubeconfigs it names.
   */
  workspaceSecrets(root: string, config: WorkspaceConfig, env: Readonly<Record<string, string | undefined>>, projects?: readonly WorkspaceProject[]): string[];
}
