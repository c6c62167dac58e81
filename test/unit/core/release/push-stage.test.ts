// The push stage (electron/core/release/push-stage.ts) in the engine over in-memory ports: pushed once
// per image and registry before any environment, deployed by digest, skipped when the registry holds
// the digest, transient failures retried after the (injected) backoff with every attempt journaled,
// and any failure stopping the release before anything is applied.
import { describe, expect, it } from 'vitest';
import type { PushRetry } from '../../../../electron/core/ports/image-registry.js';
import { FakeImageRegistry } from '../../../fakes/image-registry.js';
import { SERVICES, createWorld, release } from '../../../support/release-world.js';

const waits: number[] = [];
const retry: PushRetry = { attempts: 3, delayMs: (attempt) => 100 * 2 ** attempt, wait: async (ms) => void waits.push(ms) };

function registryWorld(registries = { local: 'registry.example.com/shop', staging: 'registry.example.com/shop' }) {
  const world = createWorld('kubernetes');
  const registry = new FakeImageRegistry();
  Object.assign(world, { registries, registry, pushRetry: retry });
  return { world, registry };
}

describe('push stage', () => {
  it('pushes each image once before the first environment and deploys it by digest everywhere', async () => {
    const { world, registry } = registryWorld();
    const { done, recorder } = release(world, { id: 'p1', version: 'v1' });
    const report = await done;
    expect(report.state).toBe('succeeded');
    expect(registry.pushes).toHaveLength(3);
    expect(registry.checked).toEqual(['registry.example.com']);
    const stageNames = report.stages.map((s) => `${s.name}${s.environment ? `@${s.environment}` : ''}`);
    expect(stageNames.indexOf('push')).toBeLessThan(stageNames.indexOf('gates@local'));
    const expected = SERVICES.map((s) => `registry.example.com/shop/shop/${s}@${registry.digestOf(report.images.find((i) => i.service === s)!.image!)}`);
    expect(report.environments[0]!.services.map((s) => s.image).sort()).toEqual(expected.sort());
    expect(report.environments[1]!.services.map((s) => s.image).sort()).toEqual(expected.sort());
    expect(recorder.steps.filter((s) => s.kind === 'image.push').map((s) => [s.stage, s.ok])).toEqual([['push', true], ['push', true], ['push', true]]);
    // Each local tag the push makes is a step of its own, opened after its push's intent (issue 13: an image tag is a side effect).
    const pushAndTag = recorder.steps.filter((s) => s.kind === 'image.push' || s.kind === 'image.tag');
    expect(pushAndTag.map((s) => s.kind)).toEqual(['image.push', 'image.tag', 'image.push', 'image.tag', 'image.push', 'image.tag']);
    expect(pushAndTag.filter((s) => s.kind === 'image.tag').map((s) => [s.target, s.ok])).toEqual(registry.tags.map((t) => [t.split(' -> ')[0], true]));
    expect(registry.tags).toHaveLength(3);
    // One event per layer and status: Pushing (its byte counts folded) then Pushed, per image.
    expect(recorder.events.filter((e) => e.name === 'release.pushProgress').map((e) => (e.payload as { status: string }).status)).toEqual(['Pushing', 'Pushed', 'Pushing', 'Pushed', 'Pushing', 'Pushed']);
    expect((await world.targets.staging.status(SERVICES)).map((s) => s.image).sort()).toEqual(expected.sort());
  });

  it('a second release finds every digest in the registry: no push, nothing applied', async () => {
    const { world, registry } = registryWorld();
    await release(world, { id: 'p1', version: 'v1' }).done;
    const { done, recorder } = release(world, { id: 'p2', version: 'v1' });
    const report = await done;
    expect(report.state).toBe('succeeded');
    expect(registry.pushes).toHaveLength(3);
    expect(report.pushes.map((p) => [p.outcome, p.attempts])).toEqual([['present', 0], ['present', 0], ['present', 0]]);
    expect(recorder.steps.filter((s) => s.kind === 'image.push')).toEqual([]);
    expect(report.applies).toBe(0);
  });

  it('retries a transient failure after the backoff, journaling each attempt', async () => {
    const { world, registry } = registryWorld();
    registry.fail(2, true);
    waits.length = 0;
    const { done, recorder } = release(world, { id: 'p3', version: 'v1' });
    const report = await done;
    expect(report.state).toBe('succeeded');
    expect(waits).toEqual([200, 400]);
    expect(recorder.steps.filter((s) => s.kind === 'image.push').map((s) => s.ok)).toEqual([false, false, true, true, true]);
    expect(report.pushes[0]!.attempts).toBe(3);
    expect(recorder.events.filter((e) => e.name === 'release.pushRetry').map((e) => (e.payload as { attempt: number }).attempt)).toEqual([1, 2]);
  });

  it('gives up after the last attempt and applies nothing', async () => {
    const { world, registry } = registryWorld();
    registry.fail(3, true);
    const report = await release(world, { id: 'p4', version: 'v1' }).done;
    expect(report.state).toBe('failed');
    expect(report.cause?.code).toBe('IMAGE_PUSH_FAILED');
    expect(report.pushes.map((p) => p.outcome)).toEqual(['failed', 'not-started', 'not-started']);
    expect(world.targets.local.calls.filter((c) => c.method === 'apply')).toEqual([]);
    expect(report.environments.map((e) => e.state)).toEqual(['pending', 'pending']);
  });

  it('does not retry a permanent failure (401, 403, 413)', async () => {
    const { world, registry } = registryWorld();
    registry.fail(1, false, 'denied: requested access to the resource is denied (403)');
    const { done, recorder } = release(world, { id: 'p5', version: 'v1' });
    const report = await done;
    expect(report.state).toBe('failed');
    expect(report.cause?.message).toContain('403');
    expect(recorder.steps.filter((s) => s.kind === 'image.push').map((s) => s.ok)).toEqual([false]);
  });

  it('checks every registry before the first push: a refused one pushes nothing anywhere', async () => {
    const { world, registry } = registryWorld({ local: 'a.example.com/shop', staging: 'b.example.com:5000/shop' });
    registry.refuse.set('b.example.com:5000', 'registry b.example.com:5000 requires credentials and Docker has none for it; run docker login b.example.com:5000');
    const report = await release(world, { id: 'p6', version: 'v1' }).done;
    expect(report.state).toBe('failed');
    expect(report.cause?.message).toContain('requires credentials');
    expect(registry.pushes).toEqual([]);
  });

  it('copies the same digest to a second registry; a different digest there stops the release', async () => {
    const { world, registry } = registryWorld({ local: 'a.example.com/shop', staging: 'b.example.com/mirror' });
    const report = await release(world, { id: 'p7', version: 'v1' }).done;
    expect(report.state).toBe('succeeded');
    expect(registry.pushes).toHaveLength(6);
    const digests = (env: number) => report.environments[env]!.services.map((s) => s.image.split('@')[1]).sort();
    expect(digests(1)).toEqual(digests(0));

    const other = registryWorld({ local: 'a.example.com/shop', staging: 'b.example.com/mirror' });
    other.registry.digestPerHost = true;
    const failed = await release(other.world, { id: 'p8', version: 'v1' }).done;
    expect(failed.state).toBe('failed');
    expect(failed.cause?.message).toMatch(/b\.example\.com\/mirror\/shop\/catalog-api stored .* but the earlier registry holds it as/);
    expect(other.world.targets.local.calls.filter((c) => c.method === 'apply')).toEqual([]);
  });

  it('environments without a registry deploy the local tag and push nothing', async () => {
    const { world, registry } = registryWorld({ staging: 'registry.example.com/shop' } as never);
    const report = await release(world, { id: 'p9', version: 'v1' }).done;
    expect(report.state).toBe('succeeded');
    expect(report.environments[0]!.services.every((s) => !s.image.includes('@'))).toBe(true);
    expect(report.environments[1]!.services.every((s) => s.image.includes('@sha256:'))).toBe(true);
    expect(report.pushes.every((p) => p.environments.join() === 'staging')).toBe(true);
    expect(registry.pushes).toHaveLength(3);
  });
});
