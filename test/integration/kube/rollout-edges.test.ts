// Two rollout edges checked end to end: a crash-looping image fails the wait early with its reason, and
// a Deployment paused with the real `kubectl rollout pause` is not rolled back (kubectl's undo rule).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import { REAL, exampleUnit, startCluster, type TestCluster } from './cluster.js';

let cluster: TestCluster;
let target: DeployTargetPort;

beforeAll(async () => {
  cluster = await startCluster('convoy-edges');
  target = createKubeTarget({
    environment: 'edges',
    context: cluster.context,
    namespace: cluster.namespace,
    createNamespace: true,
    kubeconfigPath: cluster.kubeconfig,
    pollIntervalMs: 50,
  });
});

afterAll(async () => {
  await cluster?.close();
});

describe.skipIf(REAL).sequential('rollout edges', () => {
  it('fails fast on CrashLoopBackOff, naming pod, container and reason', async () => {
    cluster.server!.faults.failImages(/:crashy$/, 'CrashLoopBackOff');
    const ok = exampleUnit('catalog-api', 'shop/catalog-api:v1', 'rel-1');
    await target.apply([ok]);
    await target.waitReady([ok], { deadlineMs: 20_000 });
    const crashy = { ...ok, image: 'shop/catalog-api:crashy', releaseId: 'rel-2' };
    await target.apply([crashy]);
    const error = await target.waitReady([crashy], { deadlineMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ROLLOUT_FAILED', message: expect.stringMatching(/catalog-api: pod catalog-api-[\w-]+, container catalog-api: CrashLoopBackOff/) });
  });

  it('refuses to roll back a Deployment paused with kubectl, and does after resume', async () => {
    await cluster.kubectl('rollout', 'pause', 'deployment/catalog-api', '-n', cluster.namespace);
    await expect(target.rollback('catalog-api')).rejects.toMatchObject({ code: 'ROLLBACK_REFUSED', message: expect.stringMatching(/paused/) });
    await cluster.kubectl('rollout', 'resume', 'deployment/catalog-api', '-n', cluster.namespace);
    await expect(target.rollback('catalog-api')).resolves.toMatchObject({ service: 'catalog-api', from: '2', to: '1' });
    const [status] = await target.waitReady([exampleUnit('catalog-api', 'shop/catalog-api:v1', 'rel-1')], { deadlineMs: 20_000 });
    expect(status).toMatchObject({ state: 'ready', image: 'shop/catalog-api:v1', revision: '3' });
  });
});
