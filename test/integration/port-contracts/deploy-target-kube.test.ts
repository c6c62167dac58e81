// The DeployTargetPort contract (test/port-contracts/deploy-target.ts) on the real Kubernetes target,
// over the Kubernetes API test server and the real control plane (or a user's cluster, see
// test/integration/kube/cluster.ts). The
// fake runs the same contract in test/unit/fakes/deploy-target.test.ts.
import { afterAll, beforeAll, describe } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { deployTargetContract } from '../../port-contracts/deploy-target.js';
import { exampleUnit, IMAGE_V1, IMAGE_V2, REAL, startCluster, targetConfig, type TestCluster } from '../kube/cluster.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster('convoy-contract');
});

afterAll(async () => {
  await cluster?.close();
});

describe('the Kubernetes target', () => {
  deployTargetContract({
    flavour: 'kubernetes',
    target: () => createKubeTarget(targetConfig(cluster)),
    unit: (service, version) => {
      const image = version === 'v1' ? IMAGE_V1 : version === 'v2' ? IMAGE_V2 : `shop/${service}:broken`;
      return exampleUnit(service, image, `rel-${version}`);
    },
    breakRollouts: () => cluster.faults?.failImages(/:broken$/, 'ImagePullBackOff'),
    services: { main: 'orders-api', failing: 'storefront', absent: 'catalog-api' },
    deadlineMs: REAL ? 180_000 : 20_000,
  });
});
