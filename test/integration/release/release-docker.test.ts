// The release engine (electron/core/release) on real Docker targets and images: a good release through
// two environments with approval, a re-release of the same commit that applies nothing, a failing
// second wave rolled back in reverse order with every container compared to its state before, a
// service the failed release introduced removed with its containers, a cancel mid-wave, and a second release refused by the store's per-environment lease while the first waits.
// Test images are busybox httpd variants (test/integration/docker-target/helpers.ts): `bad` has no
// /healthz, so its health check fails. Everything created carries the run's label and is removed in
// afterAll. Without a Docker Engine the suite skips, except under CI where it fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../shared/errors.js';
import { createImageInspector } from '../../../electron/adapters/docker/image-inspector.js';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { currentProcess } from '../../../electron/adapters/system/process-identity.js';
import { createLeaseKeeper } from '../../../electron/core/lease.js';
import { leaseLock } from '../../../electron/core/release/lease-lock.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import type { BuildResult, BuildSpec, ImageBuilderPort, TestResult, TestSpec } from '../../../electron/core/ports/image-builder.js';
import { endpoint, skipDocker } from '../../support/docker-engine.js';
import { type EngineWorld, SERVICES, release, snapshot } from '../../support/release-world.js';
import { FakeApprover } from '../../fakes/release-run.js';
import { type TargetSuite, useTargetSuite } from '../docker-target/helpers.js';

/** "Builds" by handing out the suite's prebuilt variant named by the VERSION build arg, with its real ID. */
class PrebuiltImages implements ImageBuilderPort {
  builds = 0;
  private readonly seen = new Set<string>();
  constructor(private readonly suite: TargetSuite) {}
  async contentHash(spec: BuildSpec) {
    return `${spec.project}-${spec.buildArgs.VERSION}`;
  }
  async build(spec: BuildSpec): Promise<BuildResult> {
    const image = this.suite.image(spec.buildArgs.VERSION!);
    const key = `${spec.project}|${image}`;
    const cached = this.seen.has(key);
    if (!cached) this.builds++;
    this.seen.add(key);
    const imageId = (await this.suite.docker.getImage(image).inspect()).Id;
    return { project: spec.project, image, contentHash: key, imageId, cached, durationMs: 1 };
  }
  async runTest(spec: TestSpec): Promise<TestResult> {
    return { project: spec.project, image: spec.image, exitCode: 0, timedOut: false, durationMs: 1, logs: [] };
  }
}

describe.skipIf(skipDocker)(`release engine on the Docker target (${endpoint})`, () => {
  const suite = useTargetSuite(['v1', 'v2', 'bad']);
  const storeDir = mkdtempSync(path.join(tmpdir(), 'convoy-release-store-'));
  const store = openStore(storeDir);
  const lock = leaseLock(createLeaseKeeper({ store, self: currentProcess() }), store);
  afterAll(() => {
    store.close();
    rmSync(storeDir, { recursive: true, force: true });
  });
  let world: EngineWorld & { builder: PrebuiltImages };
  const env = (name: 'local' | 'staging') => `${name[0]}${suite.runId}`;
  const served = async (name: 'local' | 'staging') => Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await suite.version(`convoy-${env(name)}-${s}`)])));

  const makeWorld = () => {
    const targets = { local: suite.target(env('local'), { healthDeadlineMs: 4_000 }), staging: suite.target(env('staging'), { healthDeadlineMs: 4_000 }) };
    world = { builder: new PrebuiltImages(suite), images: createImageInspector(), lock, ports: { ...targets }, recorders: [], unitEnv: { GREETING: 'hello' } };
    return targets;
  };

  it('takes v1 through local and staging in waves, with approval, the same images in both', async () => {
    makeWorld();
    const approver = new FakeApprover();
    const report = await release(world, { id: 'r1', version: 'v1', approver }).done;
    expect(report.cause).toBeNull();
    expect(report.state).toBe('succeeded');
    expect(report.environments.map((e) => e.state)).toEqual(['succeeded', 'succeeded']);
    expect(report.environments[1]!.approval).toMatchObject({ state: 'approved', by: 'alice' });
    expect(approver.requests.map((r) => r.environment)).toEqual([env('staging')]);
    expect(await served('local')).toEqual({ 'catalog-api': 'v1', 'orders-api': 'v1', storefront: 'v1' });
    expect(await served('staging')).toEqual(await served('local'));
    for (const e of report.environments) expect(e.live.every((s) => /http:\/\/127\.0\.0\.1:\d+/.test(s.message))).toBe(true);
  });

  it('a re-release of the same commit applies nothing', async () => {
    const targets = makeWorld();
    const before = { local: await snapshot(targets.local), staging: await snapshot(targets.staging) };
    const report = await release(world, { id: 'r2', version: 'v1' }).done;
    expect(report.state).toBe('succeeded');
    expect(report.applies).toBe(0);
    expect(report.environments.map((e) => e.state)).toEqual(['unchanged', 'unchanged']);
    expect(await snapshot(targets.local)).toEqual(before.local);
    expect(await snapshot(targets.staging)).toEqual(before.staging);
  });

  it('rolls a failing second wave back in reverse order: every container serves what it served before', async () => {
    const targets = makeWorld();
    const before = await snapshot(targets.local);
    const servedBefore = await served('local');
    const report = await release(world, { id: 'r3', version: 'v2', to: 'local', variants: { storefront: 'bad' } }).done;
    expect(report.state).toBe('rolled-back');
    expect(report.cause?.code).toBe('HEALTH_FAILED');
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'already-there'],
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(await snapshot(targets.local)).toEqual(before);
    expect(await served('local')).toEqual(servedBefore);
  });

  it('removes a service the failed release introduced, with all its containers; the others serve what they served before', async () => {
    // An environment of its own, where orders-api has never run.
    const name = `n${suite.runId}`;
    const target = suite.target(name, { healthDeadlineMs: 4_000 });
    world = { builder: new PrebuiltImages(suite), images: createImageInspector(), lock, ports: { local: target, staging: target }, recorders: [], unitEnv: { GREETING: 'hello' } };
    const first = await release(world, { id: 'r7', version: 'v1', to: 'local', services: ['catalog-api', 'storefront'] }).done;
    expect(first.state).toBe('succeeded');
    const before = await snapshot(target);
    const containersBefore = await suite.containerNames(name);
    expect(before.find((s) => s.service === 'orders-api')).toMatchObject({ state: 'missing' });

    const report = await release(world, { id: 'r8', version: 'v2', to: 'local', variants: { storefront: 'bad' } }).done;

    expect(report.state).toBe('rolled-back');
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'already-there'],
      ['orders-api', 'removed'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(report.environments[0]!.rollbacks[1]!.message).toContain(`removed container convoy-${name}-orders-api`);
    expect(await snapshot(target)).toEqual(before);
    expect(await target.revisions('orders-api')).toEqual([]);
    // No container of orders-api is left, current or retired; catalog-api keeps its history (v1, v2, v1 again).
    const after = await suite.containerNames(name);
    expect(after.filter((c) => c.includes('orders-api'))).toEqual([]);
    expect(after.filter((c) => c.includes('storefront'))).toEqual(containersBefore.filter((c) => c.includes('storefront')));
    expect(await suite.version(`convoy-${name}-catalog-api`)).toBe('v1');
    expect(await suite.version(`convoy-${name}-storefront`)).toBe('v1');
  });

  it('cancelled mid-wave: nothing new starts and what changed is rolled back', async () => {
    const targets = makeWorld();
    const before = await served('local');
    const controller = new AbortController();
    world.ports.local = Object.assign(Object.create(targets.local) as DeployTargetPort, {
      apply: async (...args: Parameters<DeployTargetPort['apply']>) => {
        const result = await targets.local.apply(...args);
        controller.abort();
        return result;
      },
    });
    const report = await release(world, { id: 'r4', version: 'v2', to: 'local', signal: controller.signal }).done;
    expect(report.state).toBe('cancelled');
    expect(report.environments[0]!.services.find((s) => s.service === 'storefront')?.outcome).toBe('not-started');
    expect(report.environments[0]!.rollbacks.length).toBeGreaterThan(0);
    expect(report.environments[0]!.rollbacks.every((r) => r.outcome === 'rolled-back')).toBe(true);
    expect(await served('local')).toEqual(before);
  });

  it('refuses a second release while the first waits for approval, naming it; a rejection applies nothing in staging', async () => {
    makeWorld();
    const approver = new FakeApprover('hold');
    const first = release(world, { id: 'r5', version: 'v2', approver });
    await approver.waiting();
    const err = await release(world, { id: 'r6', version: 'v2' }).done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvoyError);
    expect((err as ConvoyError).code).toBe('ENVIRONMENT_BUSY');
    expect((err as ConvoyError).message).toContain('r5');
    approver.decide({ decision: 'rejected', by: 'bob', at: new Date().toISOString(), comment: null });
    const report = await first.done;
    expect(report.state).toBe('rejected');
    expect(await served('local')).toEqual({ 'catalog-api': 'v2', 'orders-api': 'v2', storefront: 'v2' });
    expect(await served('staging')).toEqual({ 'catalog-api': 'v1', 'orders-api': 'v1', storefront: 'v1' });
  });
});
