// Vitest global setup of the `kube-control-plane` project: one real Kubernetes control plane
// (test/kube-cluster) for every Kubernetes suite in the run; each file works in its own namespaces.
// Under CI=true a control plane that cannot be built or started fails the run instead of skipping it.
import type { TestProject } from 'vitest/node';
import { startKubeCluster, type KubeCluster } from '../kube-cluster/index.js';

export interface ProvidedKubeCluster {
  kubeconfig: string;
  context: string;
  controlUrl: string;
  binDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeCluster: ProvidedKubeCluster;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  let cluster: KubeCluster;
  try {
    // registryCheck: an image on a registry at 127.0.0.1:PORT runs only if its manifest is there.
    cluster = await startKubeCluster({ context: 'convoy-it', registryCheck: true, log: (line) => console.log(`[kube-cluster] ${line}`) });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n(The kube-control-plane test project needs Go 1.26+ and openssl; set CONVOY_KUBE_CLUSTER=0 to leave it out outside CI.)`,
    );
  }
  console.log(`[kube-cluster] control plane ready at ${cluster.url} in ${Math.round((Date.now() - started) / 1000)} s`);
  project.provide('kubeCluster', { kubeconfig: cluster.kubeconfig, context: cluster.context, controlUrl: cluster.simulator.controlUrl, binDir: cluster.binDir });
  return () => cluster.close();
}
