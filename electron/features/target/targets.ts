// Makes the deploy target for an environment of convoy.yaml: a Kubernetes context or the local Docker
// Engine, both behind DeployTargetPort. Paths in the config are read the way a user writes them:
// `~/…` is the home folder, a relative kubeconfig path is relative to the workspace root.
import os from 'node:os';
import path from 'node:path';
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { LeaseKeeper } from '../../core/lease.js';
import { leasedTarget } from '../../core/leased-target.js';
import type { DeployTargetPort } from '../../core/ports/deploy-target.js';
import type { RedactionGate } from '../../core/redact.js';
import { redactingTarget } from '../../core/redacting-target.js';
import { createDockerTarget } from '../../adapters/docker-target/docker-target.js';
import { createKubeTarget } from '../../adapters/kube/kube-target.js';
import { loadWorkspaceConfig } from '../../adapters/config/load-config.js';
import { workspaceSecrets } from './workspace-secrets.js';

export function expandPath(file: string, workspaceRoot: string): string {
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return path.resolve(workspaceRoot, file);
}

/**
 * The target for an environment. With `leases`, every change to it holds the environment's lease; with
 * a redaction gate (the app always gives one) everything it answers passes the gate, which first
 * learns the workspace's declared secrets (convoy.yaml) and, on each call, the units' own.
 */
export function createTargetFor(
  environment: EnvironmentConfig,
  workspaceRoot: string,
  leases?: LeaseKeeper,
  gate?: RedactionGate,
  env: NodeJS.ProcessEnv = process.env,
): DeployTargetPort {
  const made = makeTarget(environment, workspaceRoot);
  const target = leases ? leasedTarget(made, leases) : made;
  if (!gate) return target;
  gate.add(workspaceSecrets(workspaceRoot, loadWorkspaceConfig(workspaceRoot).config, env));
  return redactingTarget(target, gate);
}

function makeTarget(environment: EnvironmentConfig, workspaceRoot: string): DeployTargetPort {
  const target = environment.target;
  if (target.kind === 'docker') {
    const ports = target.ports ?? {};
    return createDockerTarget({ environment: environment.name, hostPort: (service) => ports[service] });
  }
  return createKubeTarget({
    environment: environment.name,
    context: target.context,
    namespace: target.namespace,
    ...(target.createNamespace !== undefined ? { createNamespace: target.createNamespace } : {}),
    ...(target.kubeconfig ? { kubeconfigPath: expandPath(target.kubeconfig, workspaceRoot) } : {}),
  });
}
