// The ImageBuilderPort contract (test/port-contracts/image-builder.ts) on the Docker adapter, with
// tiny busybox contexts (test/integration/build/helpers.ts cleans up images, layers and containers).
// The fake runs the same contract in test/unit/fakes/image-builder.test.ts.
//
// Without a reachable Docker Engine it is skipped on a developer machine, but FAILS under CI.
import { describe } from 'vitest';
import { endpoint, skipDocker } from '../../support/docker-engine.js';
import { imageBuilderContract } from '../../port-contracts/image-builder.js';
import { useEngineSuite } from '../build/helpers.js';

describe.skipIf(skipDocker)(`the Docker image builder (${endpoint})`, () => {
  const suite = useEngineSuite();
  const layers = suite.collect();
  imageBuilderContract({
    name: 'docker',
    builder: () => suite.builder,
    context: suite.makeContext,
    spec: suite.spec,
    buildCalls: suite.buildCalls,
    watch: layers,
  });
});
