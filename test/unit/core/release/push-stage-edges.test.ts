// The push stage (electron/core/release/push-stage.ts) in the cases push-stage.test.ts leaves open:
// what each `image.push` and `image.tag` journal row records (intent detail and result), a cancel
// between two pushes (the stage and the release end `cancelled`, the rest is never pushed), and a second
// registry that already holds the digest the first one stored while the engine lists no digest for the
// image (the earlier registry's digest is asked about, nothing else is).
import { describe, expect, it } from 'vitest';
import type { PushOptions, PushRetry } from '../../../../electron/core/ports/image-registry.js';
import { FakeImageRegistry } from '../../../fakes/image-registry.js';
import { SERVICES, createWorld, release } from '../../../support/release-world.js';

const NO_WAIT: PushRetry = { attempts: 2, delayMs: () => 0, wait: async () => {} };

function registryWorld(registry: FakeImageRegistry, registries: { local?: string; staging?: string } = { local: 'registry.example.com/shop', staging: 'registry.example.com/shop' }) {
  const world = createWorld('kubernetes');
  Object.assign(world, { registries, registry, pushRetry: NO_WAIT });
  return world;
}

/** A registry whose engine lists no digest for any image (nothing pulled or pushed from this engine), and that keeps every manifest question. */
class ForgetfulRegistry extends FakeImageRegistry {
  readonly asked: string[] = [];
  /** What a push to the first registry also puts into the second (a mirror that replicates it). */
  mirror: { from: string; to: string } | null = null;

  override async knownDigests(): Promise<string[]> {
    return [];
  }

  override async hasManifest(repository: string, digest: string): Promise<boolean> {
    this.asked.push(`${repository}@${digest}`);
    return super.hasManifest(repository, digest);
  }

  override async push(image: string, repository: string, tag: string, options: PushOptions = {}): Promise<{ digest: string }> {
    const pushed = await super.push(image, repository, tag, options);
    if (this.mirror && repository.startsWith(this.mirror.from)) {
      const copy = repository.replace(this.mirror.from, this.mirror.to);
      this.repositories.set(copy, new Set([...(this.repositories.get(copy) ?? []), pushed.digest]));
    }
    return pushed;
  }
}

describe('push stage journal rows', () => {
  it('each push records the image, its ID, the registry, the tag and the attempt, and its digest as the result', async () => {
    const registry = new FakeImageRegistry();
    registry.fail(1, true);
    const world = registryWorld(registry);
    const { done, recorder } = release(world, { id: 'p1', version: 'v1', to: 'local' });
    const report = await done;
    expect(report.state).toBe('succeeded');
    const catalog = report.images.find((i) => i.service === 'catalog-api')!;
    const tag = catalog.image!.split(':')[1];
    const repository = 'registry.example.com/shop/shop/catalog-api';
    const pushes = recorder.steps.filter((s) => s.kind === 'image.push' && s.target === repository);
    expect(pushes).toEqual([
      { stage: 'push', environment: null, kind: 'image.push', target: repository, ok: false, detail: { image: catalog.image, imageId: catalog.imageId, registry: 'registry.example.com/shop', tag, attempt: 1 } },
      { stage: 'push', environment: null, kind: 'image.push', target: repository, ok: true, detail: { image: catalog.image, imageId: catalog.imageId, registry: 'registry.example.com/shop', tag, attempt: 2 }, result: { digest: registry.digestOf(catalog.image!) } },
    ]);
    const tags = recorder.steps.filter((s) => s.kind === 'image.tag' && s.target === `${repository}:${tag}`);
    expect(tags.map((s) => [s.detail, s.result, s.ok])).toEqual([
      [{ image: catalog.image, imageId: catalog.imageId }, null, true],
      [{ image: catalog.image, imageId: catalog.imageId }, null, true],
    ]);
  });
});

describe('push stage cancelled', () => {
  it('a cancel between two pushes ends the stage and the release cancelled, pushing and applying nothing more', async () => {
    const controller = new AbortController();
    const registry = new FakeImageRegistry();
    const push = registry.push.bind(registry);
    registry.push = async (...args) => {
      const result = await push(...args);
      controller.abort();
      return result;
    };
    const world = registryWorld(registry);
    const report = await release(world, { id: 'p2', version: 'v1', signal: controller.signal }).done;
    const message = 'The release was cancelled while pushing images; nothing was deployed';
    expect(report.state).toBe('cancelled');
    expect(report.cause).toEqual({ code: 'CANCELLED', message });
    expect(report.stages.filter((s) => s.name === 'push').map((s) => [s.state, s.message])).toEqual([['cancelled', message]]);
    expect(report.pushes.map((p) => [p.service, p.outcome, p.error])).toEqual([
      ['catalog-api', 'pushed', null],
      ['orders-api', 'not-started', null],
      ['storefront', 'not-started', null],
    ]);
    expect(registry.pushes).toHaveLength(1);
    expect(world.targets.local.calls.filter((c) => c.method === 'apply')).toEqual([]);
    expect(report.environments.map((e) => e.state)).toEqual(['pending', 'pending']);
  });
});

describe('push stage with a second registry', () => {
  it('finds the earlier registry digest in the second registry when the engine lists none: no second push, no other question', async () => {
    const registry = new ForgetfulRegistry();
    registry.mirror = { from: 'a.example.com/shop/', to: 'b.example.com/mirror/' };
    const world = registryWorld(registry, { local: 'a.example.com/shop', staging: 'b.example.com/mirror' });
    const report = await release(world, { id: 'p3', version: 'v1' }).done;
    expect(report.state).toBe('succeeded');
    const digest = (service: string) => registry.digestOf(report.images.find((i) => i.service === service)!.image!);
    expect(report.pushes.map((p) => [p.registry, p.service, p.outcome, p.digest])).toEqual([
      ...SERVICES.map((s) => ['a.example.com/shop', s, 'pushed', digest(s)]),
      ...SERVICES.map((s) => ['b.example.com/mirror', s, 'present', digest(s)]),
    ]);
    expect(registry.pushes.map((p) => p.split(' -> ')[1])).toEqual(SERVICES.map((s) => `a.example.com/shop/shop/${s}`));
    // The push stage asks only the second registry, only about the digest the first one stored; then
    // each environment's gates ask its own registry about the reference it pulls.
    const asked = (prefix: string) => SERVICES.map((s) => `${prefix}/shop/${s}@${digest(s)}`);
    expect(registry.asked).toEqual([...asked('b.example.com/mirror'), ...asked('a.example.com/shop'), ...asked('b.example.com/mirror')]);
    expect(report.stages.find((s) => s.name === 'push')?.message).toBe('3 pushed, 3 already in the registry');
  });
});
