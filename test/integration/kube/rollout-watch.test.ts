// waitReady watches the Deployments it waits for: with a poll interval far longer than this test may
// run, a rollout still finishes as soon as it is done, because the Deployment's change wakes the wait.
// And status of several services reads the namespace's Deployments with one list, not one per service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { IMAGE_V1, REAL, exampleUnit, startCluster, targetConfig, type TestCluster } from './cluster.js';

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

describe('status on the Kubernetes target', { timeout: 30_000 }, () => {
  it.skipIf(REAL)('answers every service from one list of Deployments', async () => {
    const server = cluster.server!;
    const target = createKubeTarget(targetConfig(cluster));
    const units = [exampleUnit('orders-api', IMAGE_V1, 'watch-2'), exampleUnit('catalog-api', IMAGE_V1, 'watch-2')];
    try {
      await target.apply(units);
      await target.waitReady(units, { deadlineMs: 20_000 });
      const before = server.requests.length;
      const statuses = await target.status(['orders-api', 'catalog-api', 'nothing-here']);
      expect(statuses.map((s) => [s.service, s.state, s.image])).toEqual([
        ['orders-api', 'ready', IMAGE_V1],
        ['catalog-api', 'ready', IMAGE_V1],
        ['nothing-here', 'missing', null],
      ]);
      const deploymentReads = server.requests.slice(before).filter((r) => r.method === 'GET' && /\/deployments(\/|$)/.test(r.path));
      // One list for all three, plus the by-name lookup of the one without a labelled Deployment.
      expect(deploymentReads.map((r) => r.path.split('/').slice(-2).join('/'))).toEqual([`${cluster.namespace}/deployments`, 'deployments/nothing-here']);
    } finally {
      await target.close?.();
    }
  });
});
