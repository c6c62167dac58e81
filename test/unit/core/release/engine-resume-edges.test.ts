// Resuming an interrupted release in the engine (electron/core/release/engine.ts), in the cases
// resume.test.ts leaves open: an environment the interrupted run had finished reads as it did (and one
// it had not finished, or that drifted since, reads as now); the build and test stages say what was
// reused; the objects the interrupted run wrote reach the target's object journal; and the refusal
// names every service the interrupted run did not build.
import { describe, expect, it } from 'vitest';
import type { ReleaseReport } from '../../../../shared/release-report.js';
import type { DeployTargetPort, ObjectVersion } from '../../../../electron/core/ports/deploy-target.js';
import { objectKey } from '../../../../electron/core/release/object-journal.js';
import { SERVICES, type World, createWorld, release } from '../../../support/release-world.js';

const stages = (report: ReleaseReport) => report.stages.map((s) => `${s.name}${s.environment ? `@${s.environment}` : ''}:${s.state}:${s.message ?? ''}`);

/** The record of a release as a crash left it: still running, with the given environment states. */
function interrupted(finished: ReleaseReport, states: ReleaseReport['environments'][number]['state'][]): ReleaseReport {
  return { ...finished, state: 'running', finishedAt: null, environments: finished.environments.map((e, i) => ({ ...e, state: states[i]! })) };
}

/** v2 released through local and staging in `world`; its record is what a resume starts from. */
async function releasedV2(world: World): Promise<ReleaseReport> {
  const finished = await release(world, { id: 'r2', version: 'v2' }).done;
  expect(finished.state).toBe('succeeded');
  return finished;
}

describe('resuming: environments the interrupted run reached', () => {
  it('one it had finished reads as it did; one it had not finished reads as now', async () => {
    const world = createWorld();
    const previous = interrupted(await releasedV2(world), ['succeeded', 'running']);
    const report = await release(world, { id: 'r2', version: 'v2', resume: { previous, before: new Map(), approvals: new Map() } }).done;
    expect(report.state).toBe('succeeded');
    expect(stages(report).slice(0, 3)).toEqual([
      'affected:succeeded:3 project(s) affected, 3 service(s) to release',
      'build:skipped:reused the 3 image(s) the interrupted run built',
      'test:skipped:the interrupted run tested them',
    ]);
    expect(report.environments[0]).toEqual(previous.environments[0]);
    const staging = report.environments[1]!;
    expect([staging.name, staging.state, staging.services, staging.cause]).toEqual(['staging', 'unchanged', [], null]);
    expect(staging.skipped.map((s) => s.service)).toEqual(SERVICES);
  });

  it('one it had finished but that runs something else now is deployed again and reads as now', async () => {
    const world = createWorld();
    const v1 = await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const previous = interrupted(await releasedV2(world), ['succeeded', 'running']);
    const old = v1.images.find((i) => i.service === 'catalog-api')!.image!;
    await world.targets.local.apply([{ service: 'catalog-api', image: old, releaseId: 'r1', commit: 'c0ffee', manifestsDir: null, port: 8080, health: '/healthz', env: {} }]);
    const report = await release(world, { id: 'r2', version: 'v2', resume: { previous, before: new Map(), approvals: new Map() } }).done;
    expect(report.state).toBe('succeeded');
    const local = report.environments[0]!;
    expect(local.state).toBe('succeeded');
    expect(local.services.map((s) => [s.service, s.outcome, s.before.image])).toEqual([['catalog-api', 'ready', old]]);
    expect(local.skipped.map((s) => s.service)).toEqual(['orders-api', 'storefront']);
  });
});

describe('resuming: what the interrupted run wrote', () => {
  it("hands the objects it wrote to the target's object journal, which skips one untouched since", async () => {
    const world = createWorld();
    const previous = interrupted(await releasedV2(createWorldSharing(world)), ['running', 'running']);
    const version: ObjectVersion = { exists: true, resourceVersion: '7', generation: 1, release: 'r2' };
    const answers: Array<[string, string | null]> = [];
    const real = world.targets.local;
    world.ports.local = Object.assign(Object.create(real) as DeployTargetPort, {
      apply: async (...args: Parameters<DeployTargetPort['apply']>) => {
        const [units, options] = args;
        for (const u of units) {
          const write = { service: u.service, apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: u.service, object: `Deployment shop/${u.service}`, before: version };
          answers.push([u.service, options?.objects?.done?.(write) ?? null]);
        }
        return real.apply(...args);
      },
    });
    const written = new Map([[objectKey('local/catalog-api', 'Deployment shop/catalog-api'), version]]);
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local', resume: { previous, before: new Map(), approvals: new Map(), written } }).done;
    expect(report.state).toBe('succeeded');
    expect(answers).toEqual([
      ['catalog-api', 'written by this release before it was interrupted and unchanged since (resourceVersion 7); not written again'],
      ['orders-api', null],
      ['storefront', null],
    ]);
  });
});

describe('resuming: refused', () => {
  it('names every service the workspace now releases that the interrupted run did not build', async () => {
    const world = createWorld();
    const finished = await releasedV2(createWorldSharing(world));
    const previous = { ...interrupted(finished, ['running', 'running']), services: ['catalog-api'], images: finished.images.filter((i) => i.service === 'catalog-api') };
    const report = await release(world, { id: 'r2', version: 'v2', resume: { previous, before: new Map(), approvals: new Map() } }).done;
    expect(report.state).toBe('failed');
    expect(report.cause).toEqual({
      code: 'RESUME_REFUSED',
      message:
        'The workspace now releases orders-api, storefront, which the interrupted run did not build; resuming deploys only what it built and tested. ' +
        'Roll back (convoy recover --rollback) and release again; nothing was applied',
    });
    expect(stages(report)).toEqual(['affected:succeeded:3 project(s) affected, 3 service(s) to release']);
    expect(world.targets.local.calls.filter((c) => c.method === 'apply')).toEqual([]);
  });
});

/** Another world on the same builder (its images are the ones `world` can inspect), with targets of its own. */
function createWorldSharing(world: World): World {
  const other = createWorld();
  other.builder = world.builder;
  other.images = world.images;
  return other;
}
