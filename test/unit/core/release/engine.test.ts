// The release engine over in-memory ports: a good release through two environments with approval,
// a failure in the second wave rolled back in reverse order, cancel, a refused second release and a
// re-release of the same commit that applies nothing.
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../../shared/errors.js';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import { FakeApprover } from '../../../fakes/release-run.js';
import { SERVICES, createWorld, release, snapshot } from '../../../support/release-world.js';

const applied = (world: ReturnType<typeof createWorld>, env: 'local' | 'staging') =>
  world.targets[env].calls.filter((c) => c.method === 'apply').map((c) => c.services.join(','));

describe('release engine', () => {
  it('takes one change through local and staging in waves, with approval, promoting the same images', async () => {
    const world = createWorld();
    const approver = new FakeApprover();
    const { done, recorder } = release(world, { id: 'r1', version: 'v1', approver });
    const report = await done;

    expect(report.state).toBe('succeeded');
    expect(report.cause).toBeNull();
    expect(report.buildCalls).toBe(3);
    expect(world.builder.builds).toHaveLength(3);
    expect(report.applies).toBe(6);
    expect(report.environments.map((e) => [e.name, e.state])).toEqual([
      ['local', 'succeeded'],
      ['staging', 'succeeded'],
    ]);
    for (const env of report.environments) expect(env.waves).toEqual([['catalog-api', 'orders-api'], ['storefront']]);
    // storefront is applied only after both services of the first wave, in each environment.
    for (const env of ['local', 'staging'] as const) expect(applied(world, env).indexOf('storefront')).toBe(2);
    // The same image references run in both environments, and they are the ones built (by ID).
    const local = await snapshot(world.targets.local);
    expect(await snapshot(world.targets.staging)).toEqual(local);
    for (const image of report.images) {
      expect(local.find((s) => s.service === image.service)?.image).toBe(image.image);
      expect(image.imageId).toBe(world.builder.ids.get(image.image!));
      expect(image.test).toBe('passed');
    }
    // Approval: asked once, for staging only, with the combined diff; who and when recorded.
    expect(approver.requests.map((r) => r.environment)).toEqual(['staging']);
    expect(approver.requests[0]!.diff).toContain('storefront');
    expect(report.environments[1]!.approval).toMatchObject({ required: true, state: 'approved', by: 'alice', at: '2026-01-01T00:00:00.000Z' });
    expect(report.environments[0]!.approval.state).toBe('not-required');
    expect(report.environments[1]!.gates?.ok).toBe(true);
    // Stages in order, each with its times.
    expect(report.stages.map((s) => `${s.environment ?? '-'}:${s.name}:${s.state}`)).toEqual([
      '-:affected:succeeded',
      '-:build:succeeded',
      '-:test:succeeded',
      'local:gates:succeeded',
      'local:diff:succeeded',
      'local:waves:succeeded',
      'local:verify:succeeded',
      'staging:gates:succeeded',
      'staging:diff:succeeded',
      'staging:approval:succeeded',
      'staging:waves:succeeded',
      'staging:verify:succeeded',
    ]);
    for (const stage of report.stages) expect(stage.durationMs).toBeGreaterThan(0);
    expect(recorder.ended?.state).toBe('succeeded');
    expect(recorder.steps.filter((s) => s.kind === 'target.apply')).toHaveLength(6);
  });

  it('rolls a failure in the second wave back in reverse wave order; every service is as before, earlier environments keep the new version', async () => {
    const world = createWorld('kubernetes');
    expect((await release(world, { id: 'r1', version: 'v1' }).done).state).toBe('succeeded');
    const stagingBefore = await snapshot(world.targets.staging);
    const revisionsBefore = Object.fromEntries(SERVICES.map((s) => [s, world.targets.staging.stateOf(s)!.revisions.find((r) => r.revision === world.targets.staging.stateOf(s)!.current)!.template]));
    world.targets.staging.calls.length = 0;
    world.targets.staging.failRollout('storefront', 'storefront: CrashLoopBackOff');

    const report = await release(world, { id: 'r2', version: 'v2' }).done;

    expect(report.state).toBe('rolled-back');
    expect(report.cause?.code).toBe('ROLLOUT_FAILED');
    expect(report.cause?.message).toContain('CrashLoopBackOff');
    expect(report.environments.map((e) => e.state)).toEqual(['succeeded', 'rolled-back']);
    const staging = report.environments[1]!;
    expect(staging.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'rolled-back'],
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(world.targets.staging.calls.filter((c) => c.method === 'rollback').map((c) => c.services[0])).toEqual(['storefront', 'orders-api', 'catalog-api']);
    // Every service in staging is as it was before the release: same image, ready, same pod template.
    expect(await snapshot(world.targets.staging)).toEqual(stagingBefore);
    for (const s of SERVICES) {
      const state = world.targets.staging.stateOf(s)!;
      expect(state.revisions.find((r) => r.revision === state.current)!.template).toBe(revisionsBefore[s]);
    }
    // local keeps v2.
    const v2 = Object.fromEntries(report.images.map((i) => [i.service, i.image]));
    for (const s of await snapshot(world.targets.local)) expect(s.image).toBe(v2[s.service]);
    expect(report.stages.at(-1)).toMatchObject({ name: 'rollback', environment: 'staging', state: 'succeeded' });
  });

  it('on the Docker flavour, a failed health check leaves the old container serving and rolls the first wave back', async () => {
    const world = createWorld('docker');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const before = await snapshot(world.targets.local);
    world.targets.local.failRollout('storefront');

    const report = await release(world, { id: 'r2', version: 'v2', to: 'local' }).done;

    expect(report.state).toBe('rolled-back');
    expect(report.cause?.code).toBe('HEALTH_FAILED');
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'already-there'],
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(await snapshot(world.targets.local)).toEqual(before);
  });

  it('removes a service the failed release introduced, whose own rollout failed, and rolls the others back', async () => {
    const world = createWorld('kubernetes');
    await release(world, { id: 'r1', version: 'v1', to: 'local', services: ['catalog-api', 'orders-api'] }).done;
    const before = await snapshot(world.targets.local);
    expect(before.find((s) => s.service === 'storefront')).toMatchObject({ state: 'missing' });
    world.targets.local.failRollout('storefront', 'storefront: CrashLoopBackOff');

    const { recorder, done } = release(world, { id: 'r2', version: 'v2', to: 'local' });
    const report = await done;

    expect(report.state).toBe('rolled-back');
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'removed'],
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(report.environments[0]!.rollbacks[0]).toMatchObject({ to: { revision: null, image: null }, after: { state: 'missing' } });
    expect(report.environments[0]!.rollbacks[0]!.message).toMatch(/local\/storefront: it did not run there before this release; removed Deployment local\/storefront/);
    // Through the journal, and the service and its history are gone: the environment is as before.
    expect(recorder.steps.filter((s) => s.kind === 'target.remove').map((s) => [s.target, s.ok])).toEqual([['local/storefront', true]]);
    expect(world.targets.local.stateOf('storefront')).toBeNull();
    expect(await snapshot(world.targets.local)).toEqual(before);
    expect(report.stages.at(-1)).toMatchObject({ name: 'rollback', state: 'succeeded', message: '2 rolled back, 1 removed, 0 already there, 0 not restored' });
  });

  it('removes a new service of an earlier wave when a later wave fails (Docker flavour)', async () => {
    const world = createWorld('docker');
    await release(world, { id: 'r1', version: 'v1', to: 'local', services: ['catalog-api', 'storefront'] }).done;
    const before = await snapshot(world.targets.local);
    world.targets.local.failRollout('storefront');

    const report = await release(world, { id: 'r2', version: 'v2', to: 'local' }).done;

    expect(report.state).toBe('rolled-back');
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'already-there'],
      ['orders-api', 'removed'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(world.targets.local.calls.filter((c) => c.method === 'remove').map((c) => c.services)).toEqual([['orders-api']]);
    expect(await world.targets.local.revisions('orders-api')).toEqual([]);
    expect(await snapshot(world.targets.local)).toEqual(before);
  });

  it('reports a removal that fails as not restored, with the cause', async () => {
    const world = createWorld('docker');
    await release(world, { id: 'r1', version: 'v1', to: 'local', services: ['catalog-api'] }).done;
    world.targets.local.failRollout('storefront');
    world.targets.local.failOn('remove', 'orders-api', new ConvoyError('DOCKER_UNAVAILABLE', 'Docker stopped answering'));

    const report = await release(world, { id: 'r2', version: 'v2', to: 'local' }).done;

    expect(report.state).toBe('failed');
    const removal = report.environments[0]!.rollbacks.find((r) => r.service === 'orders-api')!;
    expect(removal).toMatchObject({ outcome: 'failed', after: { state: 'ready' } });
    expect(removal.message).toMatch(/local\/orders-api: removing it .* failed: Docker stopped answering \[DOCKER_UNAVAILABLE\]/);
    // storefront was new too, and its candidate never took over: nothing of it was left to remove.
    expect(report.environments[0]!.rollbacks.find((r) => r.service === 'storefront')).toMatchObject({ outcome: 'removed', message: expect.stringMatching(/nothing was left to remove/) });
    expect(report.stages.at(-1)).toMatchObject({ name: 'rollback', state: 'failed', message: '1 rolled back, 1 removed, 0 already there, 1 not restored' });
  });

  it('with rollback: manual, leaves the failed environment as it is and says how to roll back', async () => {
    const world = createWorld('kubernetes');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    world.targets.local.failRollout('storefront');
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local', rollback: 'manual' }).done;
    expect(report.state).toBe('failed');
    expect(report.environments[0]!.rollbacks).toEqual([]);
    expect(report.environments[0]!.cause?.message).toContain('convoy undo r2 --env local');
    expect(world.targets.local.calls.some((c) => c.method === 'rollback')).toBe(false);
  });

  it('stops at a safe point when cancelled mid-wave: the in-flight service finishes, nothing new starts, and what changed is rolled back', async () => {
    const world = createWorld('kubernetes');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const before = await snapshot(world.targets.local);
    const controller = new AbortController();
    const real = world.targets.local;
    // The cancel arrives while catalog-api's apply is in flight.
    world.ports.local = Object.assign(Object.create(real) as DeployTargetPort, {
      apply: async (...args: Parameters<DeployTargetPort['apply']>) => {
        const result = await real.apply(...args);
        if (args[0][0]!.service === 'catalog-api') controller.abort();
        return result;
      },
    });
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local', signal: controller.signal }).done;

    expect(report.state).toBe('cancelled');
    expect(report.cause?.code).toBe('CANCELLED');
    const local = report.environments[0]!;
    expect(local.services.map((s) => [s.service, s.outcome])).toEqual([
      ['catalog-api', 'ready'],
      ['orders-api', 'ready'],
      ['storefront', 'not-started'],
    ]);
    expect(applied(world, 'local').filter((s) => s === 'storefront')).toHaveLength(1); // only r1's
    expect(local.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(await snapshot(world.targets.local)).toEqual(before);
  });

  it('cancelled while awaiting approval: staging is untouched, local keeps the new version', async () => {
    const world = createWorld();
    const approver = new FakeApprover('hold');
    const controller = new AbortController();
    const { done } = release(world, { id: 'r1', version: 'v1', approver, signal: controller.signal });
    await approver.waiting();
    controller.abort();
    const report = await done;
    expect(report.state).toBe('cancelled');
    expect(report.environments.map((e) => e.state)).toEqual(['succeeded', 'cancelled']);
    expect(world.targets.staging.calls.some((c) => c.method === 'apply')).toBe(false);
    // Nothing in staging is left looking as if it were still about to deploy.
    expect(report.environments[1]!.services.map((s) => s.outcome)).toEqual(['not-started', 'not-started', 'not-started']);
    expect((await snapshot(world.targets.local)).every((s) => s.state === 'ready')).toBe(true);
  });

  it('a rejection applies nothing in that environment and records who rejected', async () => {
    const world = createWorld();
    const approver = new FakeApprover({ decision: 'rejected', by: 'bob', at: '2026-01-02T00:00:00.000Z', comment: 'not today' });
    const report = await release(world, { id: 'r1', version: 'v1', approver }).done;
    expect(report.state).toBe('rejected');
    expect(report.cause).toMatchObject({ code: 'APPROVAL_REJECTED' });
    expect(report.cause?.message).toContain('bob');
    expect(report.environments[1]!.approval).toMatchObject({ state: 'rejected', by: 'bob', comment: 'not today' });
    expect(world.targets.staging.calls.some((c) => c.method === 'apply')).toBe(false);
  });

  it('refuses a second release into an environment that has one running, naming it, before building anything', async () => {
    const world = createWorld();
    const approver = new FakeApprover('hold');
    const first = release(world, { id: 'r1', version: 'v1', approver });
    await approver.waiting();
    const builds = world.builder.builds.length;

    const second = release(world, { id: 'r2', version: 'v2' });
    const err = await second.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvoyError);
    expect((err as ConvoyError).code).toBe('ENVIRONMENT_BUSY');
    expect((err as ConvoyError).message).toContain('r1');
    expect(world.builder.builds).toHaveLength(builds);
    expect(second.recorder.begun).toBeNull();

    approver.decide({ decision: 'approved', by: 'alice', at: '2026-01-01T00:00:00.000Z', comment: null });
    expect((await first.done).state).toBe('succeeded');
  });

  it('a re-release of the same commit builds nothing and applies nothing, and says so', async () => {
    const world = createWorld();
    await release(world, { id: 'r1', version: 'v1' }).done;
    const calls = { local: world.targets.local.calls.length, staging: world.targets.staging.calls.length };

    const report = await release(world, { id: 'r2', version: 'v1' }).done;

    expect(report.state).toBe('succeeded');
    expect(report.buildCalls).toBe(0);
    expect(report.applies).toBe(0);
    expect(report.images.every((i) => i.build === 'cached')).toBe(true);
    expect(report.environments.map((e) => e.state)).toEqual(['unchanged', 'unchanged']);
    expect(report.environments[0]!.skipped.map((s) => s.service)).toEqual(SERVICES);
    for (const env of ['local', 'staging'] as const) {
      expect(world.targets[env].calls.slice(calls[env]).map((c) => c.method)).toEqual(['status']);
    }
  });

  it('a failing test stops the release before any environment', async () => {
    const world = createWorld();
    world.builder.scriptTest('orders-api', { exitCode: 1 });
    const report = await release(world, { id: 'r1', version: 'v1' }).done;
    expect(report.state).toBe('failed');
    expect(report.cause?.code).toBe('TEST_FAILED');
    expect(report.environments.map((e) => e.state)).toEqual(['pending', 'pending']);
    expect(world.targets.local.calls).toEqual([]);
  });
});
