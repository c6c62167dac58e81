// waitReady watches the Deployments it waits for: with a poll interval far longer than this test may
// run, a rollout still finishes as soon as it is done, because the Deployment's change wakes the wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { IMAGE_V1, exampleUnit, startCluster, targetConfig, type TestCluster } from './cluster.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster('convoy-watch');
});
afterAll(async () => {
  await cluster?.close();
});

describe('waitReady on the Kubernetes target', { timeout: 30_000 }, () => {
  it('is woken by the Deployment becoming ready, not by its next poll', async () => {
    const target = createKubeTarget(targetConfig(cluster, { pollIntervalMs: 10 * 60_000 }));
    const units = [exampleUnit('orders-api', IMAGE_V1, 'watch-1'), exampleUnit('catalog-api', IMAGE_V1, 'watch-1')];
    try {
      await target.apply(units);
      const ready = await target.waitReady(units, { deadlineMs: 20 * 60_000 });
      expect(ready.map((s) => [s.service, s.state])).toEqual([
        ['orders-api', 'ready'],
        ['catalog-api', 'ready'],
      ]);
    } finally {
      await target.close?.();
    }
  });
});
