// Where the Kubernetes integration tests run: the project's own API test server by default, or a
// real cluster when CONVOY_TEST_KUBECONFIG and CONVOY_TEST_CONTEXT are set (fault injection skipped).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import type { KubeTargetConfig } from '../../../electron/adapters/kube/kube-target.js';
import { startKubeApiServer, type KubeApiServer } from '../../kube-api-server/index.js';

const run = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const REAL = Boolean(process.env.CONVOY_TEST_KUBECONFIG && process.env.CONVOY_TEST_CONTEXT);

export interface TestCluster {
  kubeconfig: string;
  context: string;
  namespace: string;
  /** The test server; null against a real cluster. */
  server: KubeApiServer | null;
  kubectl(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startCluster(prefix: string): Promise<TestCluster> {
  const namespace = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  const kubectlFor = (kubeconfig: string, context: string) => async (...args: string[]) => {
    const { stdout } = await run('kubectl', ['--context', context, ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 });
    return stdout;
  };
  if (REAL) {
    const kubeconfig = process.env.CONVOY_TEST_KUBECONFIG as string;
    const context = process.env.CONVOY_TEST_CONTEXT as string;
    const kubectl = kubectlFor(kubeconfig, context);
    return {
      kubeconfig,
      context,
      namespace,
      server: null,
      kubectl,
      close: async () => {
        await kubectl('delete', 'namespace', namespace, '--wait=false').catch(() => '');
      },
    };
  }
  const server = await startKubeApiServer({ podReadyAfterMs: 150 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convoy-kube-it-'));
  const kubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig'), { context: 'convoy-it' });
  return { kubeconfig, context: 'convoy-it', namespace, server, kubectl: kubectlFor(kubeconfig, 'convoy-it'), close: () => server.close() };
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
