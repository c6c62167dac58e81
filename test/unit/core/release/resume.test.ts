// Resuming an interrupted release in the engine (ReleaseRunInput.resume), over the in-memory world: the
// interrupted run had built and tested v2 and applied catalog-api in local before it died. Resuming
// builds nothing, does not apply catalog-api again (it verifiably runs v2, ready), deploys the rest; and
// when a later service fails, catalog-api goes back to v1 — the revision before the interrupted run —
// not to the v2 that was live when the resume began. An approval the interrupted run had is reused.
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../../shared/errors.js';
import type { LiveRevision, ReleaseReport } from '../../../../shared/release-report.js';
import type { ApprovalDecision } from '../../../../electron/core/release/run-ports.js';
import { type World, createWorld, release } from '../../../support/release-world.js';
import { FakeApprover } from '../../../fakes/release-run.js';

/** A world with v1 everywhere, and an interrupted v2 release that had applied catalog-api in local. */
async function interrupted(): Promise<{ world: World; previous: ReleaseReport; before: Map<string, Map<string, LiveRevision>> }> {
  const world = createWorld();
  expect((await release(world, { id: 'r1', version: 'v1' }).done).state).toBe('succeeded');
  // The interrupted run, as its last checkpoint kept it: the v2 images built and tested.
  const probe = createWorld();
  probe.builder = world.builder;
  const previous = await release({ ...world, ports: { local: probe.targets.local, staging: probe.targets.staging } }, { id: 'r2', version: 'v2', to: 'local' }).done;
  const [was] = await world.targets.local.status(['catalog-api']);
  const catalog = previous.images.find((i) => i.service === 'catalog-api')!;
  await world.targets.local.apply([{ service: 'catalog-api', image: catalog.image!, releaseId: 'r2', commit: 'c0ffee', manifestsDir: null, port: 8080, health: '/healthz', env: {} }]);
  const before = new Map([['local', new Map<string, LiveRevision>([['catalog-api', { revision: was!.revision, image: was!.image, state: 'ready' }]])]]);
  return { world, previous: { ...previous, state: 'running', environments: previous.environments.map((e) => ({ ...e, state: 'running' })) }, before };
}

const applies = (world: World, service: string) => world.targets.local.calls.filter((c) => c.method === 'apply' && c.services.includes(service)).length;

describe('resuming an interrupted release', () => {
  it('reuses its images, skips what it verifiably finished, deploys the rest', async () => {
    const { world, previous, before } = await interrupted();
    const buildsBefore = world.builder.builds.length + world.builder.tests.length;
    const appliedBefore = applies(world, 'catalog-api');
    const approver = new FakeApprover();
    const approvals = new Map<string, ApprovalDecision>([['staging', { decision: 'approved', by: 'ada', at: '2026-12-04T10:00:00.000Z', comment: null }]]);
    const report = await release(world, { id: 'r2', version: 'v2', approver, resume: { previous, before, approvals } }).done;
    expect(report.state).toBe('succeeded');
    expect(world.builder.builds.length + world.builder.tests.length).toBe(buildsBefore);
    expect(report.stages.filter((s) => s.name === 'build' || s.name === 'test').map((s) => s.state)).toEqual(['skipped', 'skipped']);
    expect(applies(world, 'catalog-api')).toBe(appliedBefore); // not applied in local again
    const local = report.environments[0]!;
    expect(local.services.find((s) => s.service === 'catalog-api')).toMatchObject({ outcome: 'ready', before: before.get('local')!.get('catalog-api') });
    expect(report.environments[1]!.approval).toMatchObject({ state: 'approved', by: 'ada' });
    expect(approver.requests).toEqual([]);
    for (const s of await world.targets.local.status(['catalog-api', 'orders-api', 'storefront'])) expect(s.image).toBe(previous.images.find((i) => i.service === s.service)!.image);
  });

  it('after the workspace moved to another commit: deploys the images it built and tested, rebuilds nothing, keeps their commit', async () => {
    const { world, previous, before } = await interrupted();
    const builds = world.builder.builds.length + world.builder.tests.length;
    // The tree now builds v3 at another commit; the interrupted run built v2 at commit aaaa….
    const moved = { ...previous, commit: 'a'.repeat(40) };
    const report = await release(world, { id: 'r2', version: 'v3', to: 'local', resume: { previous: moved, before, approvals: new Map() } }).done;
    expect(report.state).toBe('succeeded');
    expect(world.builder.builds.length + world.builder.tests.length).toBe(builds);
    expect(report.commit).toBe('a'.repeat(40));
    for (const s of await world.targets.local.status(['catalog-api', 'orders-api', 'storefront'])) expect(s.image).toBe(previous.images.find((i) => i.service === s.service)!.image);
  });

  it('refuses, applying nothing, when the moved workspace releases a service the interrupted run never built', async () => {
    const { world, previous, before } = await interrupted();
    const calls = world.targets.local.calls.length;
    const partial = { ...previous, images: previous.images.filter((i) => i.service !== 'storefront'), services: previous.services.filter((s) => s !== 'storefront') };
    const report = await release(world, { id: 'r2', version: 'v3', to: 'local', resume: { previous: partial, before, approvals: new Map() } }).done;
    expect(report.state).toBe('failed');
    expect(report.cause).toMatchObject({ code: 'RESUME_REFUSED', message: expect.stringContaining('now releases storefront, which the interrupted run did not build') });
    expect(world.targets.local.calls.slice(calls).filter((c) => c.method === 'apply')).toEqual([]);
  });

  it('rolls a later failure back to what ran before the interrupted run', async () => {
    const { world, previous, before } = await interrupted();
    world.targets.local.failOn('apply', 'storefront', new ConvoyError('PORT_IN_USE', 'port taken'));
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local', resume: { previous, before, approvals: new Map() } }).done;
    expect(report.state).toBe('rolled-back');
    const [catalog] = await world.targets.local.status(['catalog-api']);
    expect(catalog!.image).toBe(before.get('local')!.get('catalog-api')!.image);
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome])).toContainEqual(['catalog-api', 'rolled-back']);
  });
});
