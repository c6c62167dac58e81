// The DeployTargetPort contract (test/port-contracts/deploy-target.ts) on the real Docker target, with
// small busybox images (test/integration/docker-target/helpers.ts): `crash` stands for the broken
// release. The fake runs the same contract in test/unit/fakes/deploy-target.test.ts.
//
// Without a reachable Docker Engine it is skipped on a developer machine, but FAILS under CI.
import { describe } from 'vitest';
import { skipDocker, endpoint } from '../../support/docker-engine.js';
import { deployTargetContract } from '../../port-contracts/deploy-target.js';
import { useTargetSuite } from '../docker-target/helpers.js';

describe.skipIf(skipDocker)(`the Docker target (${endpoint})`, () => {
  const suite = useTargetSuite(['v1', 'v2', 'crash']);
  deployTargetContract({
    flavour: 'docker',
    target: () => suite.target(`contract-${suite.runId}`, { settleMs: 300 }),
    unit: (service, version) => suite.unit(service, version === 'broken' ? 'crash' : version, version === 'broken' ? { health: null } : {}),
    services: { main: 'orders-api', failing: 'storefront', absent: 'catalog-api' },
    deadlineMs: 20_000,
  });
});
