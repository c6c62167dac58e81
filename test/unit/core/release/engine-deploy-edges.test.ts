// The release engine (electron/core/release/engine.ts) between the tests and the environments, over
// the in-memory world: services that declare no tests deploy through the testedImages gate and say
// `testCached: null`; a builder that reports no image ID stops the release before any environment; a
// store that refuses the build stage's row fails the release with that stage marked failed, not left
// running; a registry that answers a digest Convoy cannot check fails the gates instead of crashing;
// and the cancel grace period the caller gives reaches the environments.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import { ConvoyError } from '../../../../shared/errors.js';
import { FakeImageRegistry } from '../../../fakes/image-registry.js';
import { FakeRecorder } from '../../../fakes/release-run.js';
import { createWorld, release } from '../../../support/release-world.js';

const applied = (world: ReturnType<typeof createWorld>) => world.targets.local.calls.filter((c) => c.method === 'apply');

describe('runRelease from the tests to the environments', () => {
  it('deploys a service that declares no tests (the testedImages gate passes it) and reports no cached test for it', async () => {
    const report = await release(createWorld(), { id: 'r1', version: 'v1', to: 'local', untested: ['storefront'] }).done;
    expect(report.state).toBe('succeeded');
    expect(report.images.map((i) => [i.service, i.test, i.testCached])).toEqual([
      ['catalog-api', 'passed', null],
      ['orders-api', 'passed', null],
      ['storefront', 'none', null],
    ]);
    expect(report.stages.find((s) => s.name === 'test')?.message).toBe('2 service(s) passed their tests');
    expect(report.environments[0]!.gates?.ok).toBe(true);
    expect(report.environments[0]!.services.map((s) => [s.service, s.outcome])).toEqual([
      ['catalog-api', 'ready'],
      ['orders-api', 'ready'],
      ['storefront', 'ready'],
    ]);
  });

  it('stops before any environment when the builder reports an image without an ID', async () => {
    const world = createWorld();
    const build = world.builder.build.bind(world.builder);
    world.builder.build = async (...args) => {
      const result = await build(...args);
      return result.project === 'orders-api' ? { ...result, imageId: '' } : result;
    };
    const report = await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    expect(report.state).toBe('failed');
    expect(report.cause).toEqual({ code: 'INTERNAL', message: 'orders-api: built without an image ID' });
    expect(report.stages.map((s) => `${s.name}:${s.state}`)).toEqual(['affected:succeeded', 'build:succeeded', 'test:succeeded']);
    expect(report.environments[0]!.state).toBe('pending');
    expect(applied(world)).toEqual([]);
  });

  it('marks the stage that was running failed when a refused write stops the release', async () => {
    class RefusingRecorder extends FakeRecorder {
      override stage(name: string, environment: string | null) {
        if (name === 'build') throw new ConvoyError('STORE_FULL', 'the run store is full: no space left on device');
        return super.stage(name, environment);
      }
    }
    const world = createWorld();
    const report = await release(world, { id: 'r1', version: 'v1', to: 'local', recorder: new RefusingRecorder() }).done;
    expect(report.state).toBe('failed');
    expect(report.cause).toEqual({ code: 'STORE_FULL', message: 'the run store is full: no space left on device' });
    expect(report.stages.map((s) => [s.name, s.state])).toEqual([
      ['affected', 'succeeded'],
      ['build', 'failed'],
    ]);
    expect(world.builder.builds).toEqual([]);
  });

  it('fails the gates, not the engine, when the registry answers a digest that is not a sha256 one', async () => {
    class ShortDigests extends FakeImageRegistry {
      override digestOf(image: string, repository = ''): string {
        return super.digestOf(image, repository).slice(0, 19);
      }
    }
    const world = createWorld('kubernetes');
    const registry = new ShortDigests();
    Object.assign(world, { registries: { local: 'registry.example.com/shop' }, registry });
    const report = await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const catalog = report.images.find((i) => i.service === 'catalog-api')!;
    const pulled = `registry.example.com/shop/shop/catalog-api@${registry.digestOf(catalog.image!)}`;
    expect(report.state).toBe('failed');
    expect(report.cause?.code).toBe('GATE_FAILED');
    expect(report.cause?.message).toContain(`image ${pulled} is not in its registry, so it is not the digest pushed from the built image ${catalog.imageId}`);
    expect(applied(world)).toEqual([]);
  });
});

describe('the cancel grace period', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reaches the environment: a wait in flight is stopped when the given grace is over, not at the default', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const world = createWorld();
    const controller = new AbortController();
    const real = world.targets.local;
    let reached!: (signal: AbortSignal) => void;
    const waiting = new Promise<AbortSignal>((resolve) => (reached = resolve));
    world.ports.local = Object.assign(Object.create(real) as DeployTargetPort, {
      waitReady: async (...args: Parameters<DeployTargetPort['waitReady']>) => {
        const [units, options] = args;
        if (units[0]!.service !== 'catalog-api') return real.waitReady(...args);
        const signal = options.signal!;
        controller.abort();
        reached(signal);
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new ConvoyError('CANCELLED', 'wait for local/catalog-api: cancelled')), { once: true }));
      },
    });
    const { done } = release(world, { id: 'r1', version: 'v1', to: 'local', signal: controller.signal, cancelGraceMs: 10_000 });
    const signal = await waiting;
    await vi.advanceTimersByTimeAsync(9_999);
    expect(signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal.aborted).toBe(true);
    const report = await done;
    expect(report.state).toBe('cancelled');
    expect(report.environments[0]!.services.find((s) => s.service === 'catalog-api')?.error?.code).toBe('CANCELLED');
  });
});
