// electron/core/release/environment-run.ts through the engine over in-memory ports (the mutation run's
// survivors): the verify stage's own check after every wait said ready, an approver that fails
// (not a cancel), and the revision each service entry records.
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../../shared/errors.js';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import type { Approver } from '../../../../electron/core/release/run-ports.js';
import { FakeApprover, FakeRecorder } from '../../../fakes/release-run.js';
import { createWorld, release, snapshot } from '../../../support/release-world.js';

/** A recorder whose store refuses the intent row of `kind` for the targets `refuse` picks (a full disk). */
class RefusingRecorder extends FakeRecorder {
  constructor(private readonly refuse: (kind: string, target: string) => boolean) {
    super();
  }
  override stage(name: string, environment: string | null) {
    const inner = super.stage(name, environment);
    const refuse = this.refuse;
    return {
      ...inner,
      step<T>(spec: { kind: string; target: string }, effect: () => Promise<T>): Promise<T> {
        if (refuse(spec.kind, spec.target)) return Promise.reject(new ConvoyError('STORE_ERROR', 'disk full.'));
        return inner.step(spec, effect);
      },
    };
  }
}

type LiveStatus = Awaited<ReturnType<DeployTargetPort['status']>>[number];

/** The world's local target, except that the first status read after each apply (verify's own) passes through `change`. */
function changeVerifyRead(world: ReturnType<typeof createWorld>, change: (s: LiveStatus) => LiveStatus): void {
  const real = world.targets.local;
  let verifying = false;
  world.ports.local = Object.assign(Object.create(real) as DeployTargetPort, {
    apply: (...args: Parameters<DeployTargetPort['apply']>) => {
      verifying = true;
      return real.apply(...args);
    },
    status: async (services: string[]) => {
      const now = await real.status(services);
      if (!verifying) return now;
      verifying = false;
      return now.map(change);
    },
  });
}

describe('environment run', () => {
  it('fails verify (HEALTH_FAILED) and rolls back when a service waited ready but is not ready on its image at the end', async () => {
    const world = createWorld('kubernetes');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const before = await snapshot(world.targets.local);
    // The status read of verify (the first after every apply) sees storefront on the new image, progressing.
    changeVerifyRead(world, (s) => (s.service === 'storefront' ? { ...s, state: 'progressing' as const, message: 'pods 1/2' } : s));
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local' }).done;
    const image = report.images.find((i) => i.service === 'storefront')!.image;

    expect(report.state).toBe('rolled-back');
    expect(report.cause).toMatchObject({ code: 'HEALTH_FAILED', message: `local/storefront: progressing on ${image}, expected ${image} ready (pods 1/2)` });
    expect(report.stages.filter((s) => s.environment === 'local').map((s) => `${s.name}:${s.state}`)).toEqual(['gates:succeeded', 'diff:succeeded', 'waves:succeeded', 'verify:failed', 'rollback:succeeded']);
    expect(report.environments[0]!.rollbacks.map((r) => r.service)).toEqual(['storefront', 'orders-api', 'catalog-api']);
    expect(await snapshot(world.targets.local)).toEqual(before);
  });

  it('an approver that fails (not a cancel) fails the environment and its approval stage, applying nothing there', async () => {
    const world = createWorld();
    const approver: Approver = { request: () => Promise.reject(new ConvoyError('INTERNAL', 'the approval service is down')) };
    const report = await release(world, { id: 'r1', version: 'v1', approver }).done;

    expect(report.state).toBe('failed');
    expect(report.environments.map((e) => e.state)).toEqual(['succeeded', 'failed']);
    expect(report.environments[1]!.cause).toMatchObject({ code: 'INTERNAL', message: 'the approval service is down' });
    expect(report.environments[1]!.approval.state).toBe('not-reached');
    expect(report.stages.find((s) => s.environment === 'staging' && s.name === 'approval')?.state).toBe('failed');
    expect(world.targets.staging.calls.some((c) => c.method === 'apply')).toBe(false);
  });

  it('records the revision each service became ready on', async () => {
    const world = createWorld('kubernetes');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local' }).done;
    const live = await world.targets.local.status(['catalog-api', 'orders-api', 'storefront']);
    expect(report.environments[0]!.services.map((s) => [s.service, s.revision])).toEqual(live.map((s) => [s.service, s.revision]));
    expect(report.environments[0]!.services.every((s) => s.revision !== null && s.revision !== report.environments[0]!.services.find((x) => x.service === s.service)!.before.revision)).toBe(true);
  });

  it('stops at a write the store refuses: no rollback, and the cause says what was applied, what stopped and how to undo', async () => {
    const world = createWorld('kubernetes');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const recorder = new RefusingRecorder((kind, target) => kind === 'target.apply' && target === 'local/storefront');
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local', recorder }).done;

    expect(report.environments[0]!.cause).toMatchObject({
      code: 'STORE_ERROR',
      message: 'disk full. The release stopped in local at the first write the store refused: nothing was applied after it, and nothing was rolled back (a rollback could not be recorded either); applied and ready before it: catalog-api, orders-api; stopped: storefront. Once the store can be written, roll back with convoy undo r2 --env local.',
    });
    expect(world.targets.local.calls.some((c) => c.method === 'rollback' || c.method === 'remove')).toBe(false);
  });

  it('says nothing had been applied when the store refuses the first apply', async () => {
    const world = createWorld('kubernetes');
    const recorder = new RefusingRecorder((kind) => kind === 'target.apply');
    const report = await release(world, { id: 'r1', version: 'v1', to: 'local', recorder }).done;
    const message = report.environments[0]!.cause!.message;
    expect(message).toContain('(a rollback could not be recorded either); nothing had been applied in local; stopped: catalog-api, orders-api. Once');
  });

  it('a gate that refuses stops the environment before its diff, with GATE_FAILED naming each violation', async () => {
    const world = createWorld();
    // The image the gates find under each built reference is no longer the one that was built and tested.
    world.images = { imageId: async (reference) => `sha256:retagged-${reference}` };
    const report = await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const local = report.environments[0]!;

    expect(local.state).toBe('failed');
    expect(local.cause?.code).toBe('GATE_FAILED');
    expect(local.cause?.message).toMatch(/^Gates refused the release in local, nothing was applied: .+/);
    const violations = local.gates!.results.flatMap((r) => r.violations.map((v) => v.message));
    expect(violations.length).toBeGreaterThan(0);
    expect(local.cause?.message).toBe(`Gates refused the release in local, nothing was applied: ${violations.join('; ')}`);
    expect(report.stages.filter((s) => s.environment === 'local').map((s) => `${s.name}:${s.state}:${s.message}`)).toEqual([`gates:failed:${violations.length} violation(s)`]);
    expect(local.services.every((s) => s.outcome === 'not-started')).toBe(true);
    expect(world.targets.local.calls.filter((c) => c.method !== 'status')).toEqual([]);
  });

  it('an environment with nothing to deploy is unchanged, and its required approval is not reached', async () => {
    const world = createWorld();
    await release(world, { id: 'r1', version: 'v1' }).done;
    const approver = new FakeApprover();
    const report = await release(world, { id: 'r2', version: 'v1', approver }).done;

    expect(report.environments.map((e) => [e.name, e.state, e.approval.state])).toEqual([['local', 'unchanged', 'not-required'], ['staging', 'unchanged', 'not-reached']]);
    expect(approver.requests).toEqual([]);
    const image = report.images.find((i) => i.service === 'storefront')!.image;
    expect(report.environments[1]!.skipped.find((s) => s.service === 'storefront')).toEqual({ service: 'storefront', image, reason: `${image} already runs in staging and is ready` });
  });

  it('a rejection names who rejected and why, and a gates stage that passed says how many gates ran', async () => {
    const world = createWorld();
    const approver = new FakeApprover({ decision: 'rejected', by: 'bob', at: '2026-01-02T00:00:00.000Z', comment: null });
    const report = await release(world, { id: 'r1', version: 'v1', approver }).done;
    expect(report.environments[1]!.cause).toMatchObject({ code: 'APPROVAL_REJECTED', message: 'bob rejected the release in staging; nothing was applied there' });
    expect(report.stages.find((s) => s.environment === 'staging' && s.name === 'approval')).toMatchObject({ state: 'failed', message: 'rejected by bob' });
    const gates = report.environments[0]!.gates!.results.filter((r) => r.enabled).length;
    expect(report.stages.find((s) => s.environment === 'local' && s.name === 'gates')?.message).toBe(`${gates} gate(s) passed`);
  });

  it('a cancel that arrives as the approval is given stops before anything is applied there', async () => {
    const world = createWorld();
    const controller = new AbortController();
    const approver: Approver = {
      request: async () => {
        controller.abort();
        return { decision: 'approved', by: 'alice', at: '2026-01-01T00:00:00.000Z', comment: null };
      },
    };
    const report = await release(world, { id: 'r1', version: 'v1', approver, signal: controller.signal }).done;

    expect(report.environments.map((e) => e.state)).toEqual(['succeeded', 'cancelled']);
    expect(report.environments[1]!.cause).toMatchObject({ code: 'CANCELLED', message: 'The release was cancelled before anything was applied in staging' });
    expect(world.targets.staging.calls.some((c) => c.method === 'apply')).toBe(false);
  });

  it('a CANCELLED error from the target itself, with no cancel by the user, is a failure that rolls back', async () => {
    const world = createWorld('kubernetes');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const before = await snapshot(world.targets.local);
    world.targets.local.failOn('apply', 'storefront', new ConvoyError('CANCELLED', 'kubectl apply was interrupted'));
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local' }).done;

    expect(report.state).toBe('rolled-back');
    expect(report.cause).toMatchObject({ code: 'CANCELLED', message: 'kubectl apply was interrupted' });
    expect(report.stages.find((s) => s.environment === 'local' && s.name === 'waves')).toMatchObject({ state: 'failed', message: 'kubectl apply was interrupted' });
    expect(await snapshot(world.targets.local)).toEqual(before);
  });

  it('verify judges only the services this release deployed, and fails one that is ready on another image', async () => {
    const world = createWorld('kubernetes');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    let change: (s: LiveStatus) => LiveStatus = (s) => s;
    changeVerifyRead(world, (s) => change(s));
    // Only storefront changes; catalog-api (skipped, already on its image) is progressing at verify.
    change = (s) => (s.service === 'catalog-api' ? { ...s, state: 'progressing' as const } : s);
    const ok = await release(world, { id: 'r2', version: 'v1', to: 'local', variants: { storefront: 'v2' } }).done;
    expect(ok.environments[0]!.services.map((s) => s.service)).toEqual(['storefront']);
    expect(ok.state).toBe('succeeded');

    // storefront reports ready, but on an image other than the released one.
    change = (s) => (s.service === 'storefront' ? { ...s, image: 'shop/storefront:someone-else' } : s);
    const bad = await release(world, { id: 'r3', version: 'v1', to: 'local', variants: { storefront: 'v3' } }).done;
    const image = bad.images.find((i) => i.service === 'storefront')!.image;
    expect(bad.cause).toMatchObject({ code: 'HEALTH_FAILED' });
    expect(bad.cause!.message).toContain(`local/storefront: ready on shop/storefront:someone-else, expected ${image} ready`);
  });
});
