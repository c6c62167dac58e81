// The secrets a workspace's configuration tells Convoy about, for the redaction gate: the values of
// the variables listed in convoy.yaml's `secrets.env`, every config value marked secret or carrying
// credentials (a URL password, a Bearer value) in convoy.yaml's environments and in the projects'
// convoy blocks, and the credentials in the kubeconfig files the environments name.
import type { ConfigValue, WorkspaceConfig } from '../../../shared/config.js';
import type { WorkspaceProject } from '../../../shared/domain.js';
import { resolveValue, type Env } from '../../core/config-values.js';
import { credentialsIn } from '../../core/secret-shapes.js';
import { kubeconfigSecrets } from './known-secrets.js';
import { loadProjectSetup } from './load-config.js';
import { expandPath } from './paths.js';

function valueSecrets(values: Readonly<Record<string, ConfigValue>>, env: Env, secretNames: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    try {
      const resolved = resolveValue(value, env, key, 'CONFIG_INVALID', secretNames);
      if (resolved.secret) out.push(resolved.value);
      out.push(...credentialsIn(resolved.value));
    } catch {
      // An unset variable holds no secret; the step that needs it reports it.
    }
  }
  return out;
}

export function workspaceSecrets(root: string, config: WorkspaceConfig, env: Env, projects: readonly WorkspaceProject[] = []): string[] {
  const secretNames = new Set(config.secrets.env);
  const out: string[] = [];
  for (const name of secretNames) {
    const value = env[name];
    if (value) out.push(value);
  }
  for (const environment of config.environments) out.push(...valueSecrets(environment.env, env, secretNames));
  const kubeconfigs = config.environments.flatMap((e) => (e.target.kind === 'kubernetes' && e.target.kubeconfig ? [expandPath(e.target.kubeconfig, root)] : []));
  out.push(...kubeconfigSecrets(env as NodeJS.ProcessEnv, kubeconfigs));
  for (const project of projects) {
    const setup = loadProjectSetup(root, project);
    if (setup?.ok !== true) continue;
    out.push(...valueSecrets(setup.setup.config.buildArgs, env, secretNames), ...valueSecrets(setup.setup.config.env, env, secretNames));
  }
  return out;
}
