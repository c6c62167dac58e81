// The target factory (electron/core/ports/target-factory.ts): makes the deploy target for an
// environment of convoy.yaml, a Kubernetes context or the local Docker Engine, both behind
// DeployTargetPort. A relative or `~/` kubeconfig path is read as the user wrote it.
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { LeaseKeeper } from '../../core/lease.js';
import { leasedTarget } from '../../core/leased-target.js';
import type { DeployTargetPort } from '../../core/ports/deploy-target.js';
import type { TargetFactory } from '../../core/ports/target-factory.js';
import { expandPath } from '../config/paths.js';
import { createDockerTarget } from '../docker-target/docker-target.js';
import { createKubeTarget } from '../kube/kube-target.js';

/** The target for an environment; with `leases`, every change to it holds the environment's lease. */
export const createTargetFor: TargetFactory = (environment: EnvironmentConfig, workspaceRoot: string, leases?: LeaseKeeper): DeployTargetPort => {
  const target = makeTarget(environment, workspaceRoot);
  return leases ? leasedTarget(target, leases) : target;
};

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
