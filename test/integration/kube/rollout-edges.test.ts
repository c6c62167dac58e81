// Rollout edges checked end to end: a crash-looping image fails the wait early with its reason, a
// Deployment paused with the real `kubectl rollout pause` is not rolled back (kubectl's undo rule), and
// a Deployment past its progress deadline fails the wait.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import { startKubeApiServer } from '../../kube-api-server/index.js';
import { BACKEND, FAULTS, exampleUnit, startCluster, type TestCluster } from './cluster.js';

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

describe.skipIf(!FAULTS).sequential('rollout edges', () => {
  it('fails fast on CrashLoopBackOff, naming pod, container and reason', async () => {
    await cluster.faults!.failImages(/:crashy$/, 'CrashLoopBackOff');
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

describe.skipIf(!FAULTS)('progress deadline', () => {
  it('reports ROLLOUT_FAILED when the Deployment reports ProgressDeadlineExceeded, as kubectl does', async () => {
    // Pods that take far longer to become ready than the Deployment's 1 s progress deadline: on the test
    // server a slow kubelet, on the control plane pods the simulator never reports ready.
    const server = BACKEND === 'test-server' ? await startKubeApiServer({ podReadyAfterMs: 60_000 }) : null;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-deadline-'));
    try {
      const kubeconfig = server ? server.writeKubeconfig(path.join(dir, 'kubeconfig'), { context: 'deadline' }) : cluster.kubeconfig;
      fs.mkdirSync(path.join(dir, 'deploy'));
      fs.writeFileSync(
        path.join(dir, 'deploy', 'd.yaml'),
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: slow }\nspec:\n  progressDeadlineSeconds: 1\n  selector: { matchLabels: { app: slow } }\n  template:\n    metadata: { labels: { app: slow }, annotations: { convoy.dev/simulate: NeverReady } }\n    spec: { containers: [{ name: slow, image: "shop/slow:latest" }] }\n',
      );
      const where = server ? { context: 'deadline', namespace: 'default' } : { context: cluster.context, namespace: `${cluster.namespace}-deadline`, createNamespace: true };
      const t = createKubeTarget({ environment: 'deadline', ...where, kubeconfigPath: kubeconfig, pollIntervalMs: 100 });
      const unit = exampleUnit('slow', 'shop/slow:1', 'rel-1', { manifestsDir: path.join(dir, 'deploy') });
      await t.apply([unit]);
      const error = await t.waitReady([unit], { deadlineMs: 30_000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ROLLOUT_FAILED', message: expect.stringMatching(/slow.*progress deadline/i) });
    } finally {
      await server?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
