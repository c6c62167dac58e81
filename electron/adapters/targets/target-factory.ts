// The target factory (electron/core/ports/target-factory.ts): makes the deploy target for an
// environment of convoy.yaml, a Kubernetes context or the local Docker Engine, both behind
// DeployTargetPort. A relative or `~/` kubeconfig path is read as the user wrote it. Each target's
// adapter (dockerode, the Kubernetes client) is loaded on the target's first call, not with the app.
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { LeaseKeeper } from '../../core/lease.js';
import { leasedTarget } from '../../core/leased-target.js';
import type { DeployTargetPort } from '../../core/ports/deploy-target.js';
import type { RedactionGate } from '../../core/redact.js';
import { redactingTarget } from '../../core/redacting-target.js';
import type { TargetFactory } from '../../core/ports/target-factory.js';
import { loadWorkspaceConfig } from '../config/load-config.js';
import { expandPath } from '../config/paths.js';
import { workspaceSecrets } from '../config/workspace-secrets.js';
import { once } from '../lazy/lazy-adapters.js';

/**
 * The target for an environment. With `leases`, every change to it holds the environment's lease; with
 * a redaction gate (the app always gives one) everything it answers passes the gate, which first
 * learns the workspace's declared secrets (convoy.yaml) and, on each call, the units' own.
 */
export const createTargetFor: TargetFactory = (
  environment: EnvironmentConfig,
  workspaceRoot: string,
  leases?: LeaseKeeper,
  gate?: RedactionGate,
  env: NodeJS.ProcessEnv = process.env,
): DeployTargetPort => {
  const made = makeTarget(environment, workspaceRoot);
  const target = leases ? leasedTarget(made, leases) : made;
  if (!gate) return target;
  gate.add(workspaceSecrets(workspaceRoot, loadWorkspaceConfig(workspaceRoot).config, env));
  return redactingTarget(target, gate);
};

function makeTarget(environment: EnvironmentConfig, workspaceRoot: string): DeployTargetPort {
  const target = environment.target;
  if (target.kind === 'docker') {
    const ports = target.ports ?? {};
    return deferredTarget('docker', environment.name, async () =>
      (await import('../docker-target/docker-target.js')).createDockerTarget({ environment: environment.name, hostPort: (service) => ports[service] }),
    );
  }
  return deferredTarget('kubernetes', environment.name, async () =>
    (await import('../kube/kube-target.js')).createKubeTarget({
      environment: environment.name,
      context: target.context,
      namespace: target.namespace,
      ...(target.createNamespace !== undefined ? { createNamespace: target.createNamespace } : {}),
      ...(target.kubeconfig ? { kubeconfigPath: expandPath(target.kubeconfig, workspaceRoot) } : {}),
    }),
  );
}

/** A target whose adapter is made on its first call; a target never called is never loaded (nor closed). */
function deferredTarget(kind: DeployTargetPort['kind'], environment: string, make: () => Promise<DeployTargetPort>): DeployTargetPort {
  const real = once(make);
  let used = false;
  const target = () => {
    used = true;
    return real();
  };
  return {
    kind,
    environment,
    diff: async (units, options) => (await target()).diff(units, options),
    apply: async (units, options) => (await target()).apply(units, options),
    waitReady: async (units, options) => (await target()).waitReady(units, options),
    status: async (services, options) => (await target()).status(services, options),
    revisions: async (service, options) => (await target()).revisions(service, options),
    rollback: async (service, toRevision, options) => (await target()).rollback(service, toRevision, options),
    remove: async (service, options) => (await target()).remove(service, options),
    // Only a target that writes several objects per service has them (Kubernetes); asked of another, none.
    objects: async (refs, options) => {
      const real = await target();
      return real.objects ? real.objects(refs, options) : [];
    },
    close: async () => {
      if (used) await (await real()).close?.();
    },
  };
}
