// A second release of the same commit (issue 15): every image is already built, every test passed before
// on those images with the same command, environment and timeout, and every service already runs its
// image, so the release makes 0 builds, runs 0 tests, applies 0 objects, and its record says so.
import { describe, expect, it } from 'vitest';
import { summary } from '../../../../electron/cli/commands/release-view.js';
import { SERVICES, createWorld, release } from '../../../support/release-world.js';

describe('re-releasing the same commit', () => {
  it('makes 0 builds, runs 0 tests, applies 0 objects, and says so', async () => {
    const world = createWorld();
    const first = await release(world, { id: 'r1', version: 'v1' }).done;
    expect(first.state).toBe('succeeded');
    expect(first.testRuns).toBe(SERVICES.length);
    const before = { builds: world.builder.builds.length, tests: world.builder.tests.length };
    const calls = { local: world.targets.local.calls.length, staging: world.targets.staging.calls.length };

    const second = await release(world, { id: 'r2', version: 'v1' }).done;

    expect(second.state).toBe('succeeded');
    expect(world.builder.builds.length - before.builds).toBe(0);
    expect(world.builder.tests.length - before.tests).toBe(0);
    expect(second).toMatchObject({ buildCalls: 0, testRuns: 0, applies: 0 });
    expect(second.images.map((i) => [i.service, i.build, i.test, i.testCached?.runId])).toEqual(SERVICES.map((s) => [s, 'cached', 'passed', 'r1']));
    for (const env of ['local', 'staging'] as const) {
      expect(world.targets[env].calls.slice(calls[env]).map((c) => c.method)).toEqual(['status']);
    }
    expect(second.stages.find((s) => s.name === 'test')?.message).toContain(`0 run, ${SERVICES.length} passed before`);
    const text = summary(second);
    expect(text).toContain('Nothing was built and nothing was applied');
    expect(text).toContain('No test was run: each passed before');
  });

  it('rerunTests runs the tests again and still builds and applies nothing', async () => {
    const world = createWorld();
    await release(world, { id: 'r1', version: 'v1' }).done;
    const tests = world.builder.tests.length;
    const again = await release(world, { id: 'r2', version: 'v1', rerunTests: true }).done;
    expect(again).toMatchObject({ state: 'succeeded', buildCalls: 0, applies: 0, testRuns: SERVICES.length });
    expect(world.builder.tests.length - tests).toBe(SERVICES.length);
    expect(again.images.every((i) => i.testCached === null)).toBe(true);
  });

  it('a test that failed is run again by the next release, never taken from an earlier run', async () => {
    const world = createWorld();
    world.builder.scriptTest('orders-api', { exitCode: 1 });
    expect((await release(world, { id: 'r1', version: 'v1' }).done).cause?.code).toBe('TEST_FAILED');
    const tests = world.builder.tests.length;
    const again = await release(world, { id: 'r2', version: 'v1' }).done;
    expect(again.cause?.code).toBe('TEST_FAILED');
    // The services that passed are not tested again; the failing one is.
    expect(world.builder.tests.slice(tests).map((t) => t.project)).toEqual(['orders-api']);
    expect(again.testRuns).toBe(1);
  });
});
