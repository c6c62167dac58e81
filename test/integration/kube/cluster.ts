// Where the Kubernetes integration tests run (the backend):
// - 'test-server': the project's own API test server (test/kube-api-server), the default;
// - 'control-plane': the real kube-apiserver, kube-controller-manager and etcd with the pod simulator
//   (test/kube-cluster), started once per run by the kube-control-plane vitest project;
// - 'user-cluster': a cluster of your own when CONVOY_TEST_KUBECONFIG and CONVOY_TEST_CONTEXT are set
//   (pod fault injection skipped there).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import type { DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import type { KubeTargetConfig } from '../../../electron/adapters/kube/kube-target.js';
import { startKubeApiServer, type KubeApiServer } from '../../kube-api-server/index.js';

const run = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export type Backend = 'test-server' | 'control-plane' | 'user-cluster';
export const BACKEND: Backend =
  process.env.CONVOY_TEST_KUBECONFIG && process.env.CONVOY_TEST_CONTEXT
    ? 'user-cluster'
    : process.env.CONVOY_TEST_BACKEND === 'control-plane'
      ? 'control-plane'
      : 'test-server';
/** A real API server (not the project's test server): its requests cannot be inspected. */
export const REAL = BACKEND !== 'test-server';
/** Pods can be made to fail on purpose (the test server's faults, or the control plane's pod simulator). */
export const FAULTS = BACKEND !== 'user-cluster';

export type PodFailure = 'ImagePullBackOff' | 'CrashLoopBackOff' | 'NeverReady';

export interface TestCluster {
  kubeconfig: string;
  context: string;
  namespace: string;
  /** The test server; null against a real cluster. */
  server: KubeApiServer | null;
  /** Makes pods whose image matches fail; null on a user's cluster. */
  faults: { failImages(pattern: RegExp, failure: PodFailure): Promise<void> } | null;
  /** The kubectl binary the checks run (on the control plane: the one built from the same release). */
  kubectlBin: string;
  kubectl(...args: string[]): Promise<string>;
  /** Server-side applies an object as another field manager (as `kubectl apply --server-side --field-manager` does). */
  applyAs(manager: string, object: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(prefix: string): Promise<TestCluster> {
  const namespace = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  const kubectlFor = (bin: string, kubeconfig: string, context: string) => async (...args: string[]) => {
    const { stdout } = await run(bin, ['--context', context, ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 });
    return stdout;
  };
  if (BACKEND !== 'test-server') {
    const shared = BACKEND === 'control-plane' ? inject('kubeCluster') : null;
    const kubeconfig = shared?.kubeconfig ?? (process.env.CONVOY_TEST_KUBECONFIG as string);
    const context = shared?.context ?? (process.env.CONVOY_TEST_CONTEXT as string);
    const kubectlBin = shared ? path.join(shared.binDir, 'kubectl') : 'kubectl';
    const kubectl = kubectlFor(kubectlBin, kubeconfig, context);
    const faults = shared
      ? {
          async failImages(pattern: RegExp, failure: PodFailure) {
            const res = await fetch(`${shared.controlUrl}/fail`, { method: 'POST', body: JSON.stringify({ image: pattern.source, mode: failure }) });
            if (res.status !== 204) throw new Error(`pod simulator refused the fault: HTTP ${res.status} ${await res.text()}`);
          },
        }
      : null;
    const applyAs = async (manager: string, object: Record<string, unknown>) => {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'convoy-apply-as-')), 'object.json');
      writeFileSync(file, JSON.stringify(object));
      // Forced, as the test server's applyAs is: the other manager takes the fields over.
      await kubectl('apply', '--server-side', '--force-conflicts', `--field-manager=${manager}`, '-f', file);
    };
    return {
      kubeconfig,
      context,
      namespace,
      server: null,
      faults,
      kubectlBin,
      kubectl,
      applyAs,
      close: async () => {
        // Every namespace this file made starts with its prefix (namespace, namespace-local, …).
        const all = await kubectl('get', 'namespaces', '-o', 'name').catch(() => '');
        const mine = all.split('\n').map((n) => n.replace(/^namespace\//, '')).filter((n) => n === namespace || n.startsWith(`${namespace}-`));
        if (mine.length > 0) await kubectl('delete', 'namespace', ...mine, '--wait=false').catch(() => '');
      },
    };
  }
  const server = await startKubeApiServer({ podReadyAfterMs: 150 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convoy-kube-it-'));
  const kubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig'), { context: 'convoy-it' });
  const faults = {
    async failImages(pattern: RegExp, failure: PodFailure) {
      server.faults.failImages(pattern, failure);
    },
  };
  return {
    kubeconfig,
    context: 'convoy-it',
    namespace,
    server,
    faults,
    kubectlBin: 'kubectl',
    kubectl: kubectlFor('kubectl', kubeconfig, 'convoy-it'),
    applyAs: (manager, object) => server.applyAs(manager, object),
    close: () => server.close(),
  };
}

/** The Kubernetes target's settings for `staging` on the test cluster; quick polls and retries keep runs short. */
export function targetConfig(cluster: TestCluster, over: Partial<KubeTargetConfig> = {}): KubeTargetConfig {
  return {
    environment: 'staging',
    context: cluster.context,
    namespace: cluster.namespace,
    createNamespace: true,
    kubeconfigPath: cluster.kubeconfig,
    pollIntervalMs: 100,
    retry: { attempts: 4, baseDelayMs: 20 },
    ...over,
  };
}

/** Images the tests deploy; against a real cluster they must be pullable (e.g. loaded into kind). */
export const IMAGE_V1 = process.env.CONVOY_TEST_IMAGE_V1 ?? 'shop/orders-api:v1';
export const IMAGE_V2 = process.env.CONVOY_TEST_IMAGE_V2 ?? 'shop/orders-api:v2';

export function exampleUnit(service: string, image: string, releaseId: string, over: Partial<DeployUnit> = {}): DeployUnit {
  return {
    service,
    image,
    releaseId,
    commit: `commit-${releaseId}`,
    manifestsDir: path.join(ROOT, 'examples/shop/services', service, 'deploy'),
    port: null,
    health: null,
    env: {},
    ...over,
  };
}
