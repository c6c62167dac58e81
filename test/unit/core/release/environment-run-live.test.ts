// runEnvironment (electron/core/release/environment-run.ts) run directly: what it makes of the live
// state — which services it skips, what each service goes back to, what a resumed run counts as done
// (knownBefore: what ran before the interrupted run touched a service) — and the revision it records
// from a readiness wait.
import { describe, expect, it } from 'vitest';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import type { LiveRevision } from '../../../../shared/release-report.js';
import { ENV, harness, imageOf } from '../../../support/environment-run-harness.js';

const applied = (h: ReturnType<typeof harness>) => h.target.calls.filter((c) => c.method === 'apply').flatMap((c) => c.services);

describe('environment run: live state and resume', () => {
  it('resuming: keeps skipping what ran the image before the interrupted run, counts done what it verifiably finished, applies the rest', async () => {
    const h = harness({
      after: {},
      // api ran v2, ready, before the interrupted run: nothing to do. worker ran v2 but failed before it,
      // and runs v2 ready now: the interrupted run fixed it. web ran v1 and still does: not reached.
      knownBefore: new Map<string, LiveRevision>([
        ['api', { revision: '1', image: imageOf('api', 'v2'), state: 'ready' }],
        ['worker', { revision: '1', image: imageOf('worker', 'v2'), state: 'failed' }],
        ['web', { revision: '1', image: imageOf('web', 'v1'), state: 'ready' }],
      ]),
    });
    await h.deploy('v1', ['web']);
    await h.deploy('v2', ['api', 'worker']);
    const [, worker] = await h.target.status(['api', 'worker']);
    const callsBefore = h.target.calls.length;
    expect(await h.run()).toBe('ok');

    expect(h.env.skipped).toEqual([{ service: 'api', image: imageOf('api', 'v2'), reason: `${imageOf('api', 'v2')} already runs in ${ENV} and is ready` }]);
    expect(h.env.services.map((s) => [s.service, s.outcome, s.before])).toEqual([
      ['web', 'ready', { revision: '1', image: imageOf('web', 'v1'), state: 'ready' }],
      ['worker', 'ready', { revision: '1', image: imageOf('worker', 'v2'), state: 'failed' }],
    ]);
    const entry = h.env.services.find((s) => s.service === 'worker')!;
    expect([entry.revision, entry.durationMs]).toEqual([worker!.revision, 0]);
    expect(h.target.calls.slice(callsBefore).filter((c) => c.method === 'apply').flatMap((c) => c.services)).toEqual(['web']);
  });

  it('resuming: a service the interrupted run changed that now runs another image, or is not ready, is applied again', async () => {
    const h = harness({
      after: {},
      knownBefore: new Map<string, LiveRevision>([
        ['api', { revision: '1', image: imageOf('api', 'v1'), state: 'ready' }],
        ['worker', { revision: '1', image: imageOf('worker', 'v1'), state: 'ready' }],
      ]),
    });
    // api: the interrupted run's v2 rollout failed; worker: still on v1.
    h.target.failRollout('api');
    await h.deploy('v2', ['api']);
    await h.deploy('v1', ['worker', 'web']);
    const callsBefore = h.target.calls.length;
    expect(await h.run()).toBe('ok');
    expect(h.env.skipped).toEqual([]);
    expect(h.target.calls.slice(callsBefore).filter((c) => c.method === 'apply').flatMap((c) => c.services).sort()).toEqual(['api', 'web', 'worker']);
    expect(h.env.services.find((s) => s.service === 'api')!.before).toEqual({ revision: '1', image: imageOf('api', 'v1'), state: 'ready' });
  });

  it('a service on its release image but not ready is deployed, not skipped', async () => {
    const h = harness();
    h.target.failRollout('web');
    await h.deploy('v2', ['web']);
    await h.deploy('v2', ['api', 'worker']);
    expect(await h.run()).toBe('ok');
    expect(h.env.skipped.map((s) => s.service)).toEqual(['api', 'worker']);
    expect(h.env.services.map((s) => [s.service, s.outcome, s.before.state])).toEqual([['web', 'ready', 'failed']]);
    expect(applied(h).at(-1)).toBe('web');
  });

  it('a service the target does not report goes back to nothing (missing), and a one-letter service name gets no invented "before"', async () => {
    // Without knownBefore, what ran before is only what the target reports: S (a one-letter name, which
    // no default list may fill in) is reported missing, web not at all.
    const h = harness({
      services: ['S', 'web'],
      after: {},
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          status: async (services: string[]) => (await target.status(services)).filter((s) => !(services.length > 1 && s.service === 'web')),
        }),
    });
    expect(await h.run()).toBe('ok');
    expect(h.env.services.map((s) => [s.service, s.before])).toEqual([
      ['S', { revision: null, image: null, state: 'missing' }],
      ['web', { revision: null, image: null, state: 'missing' }],
    ]);
    expect(h.env.skipped).toEqual([]);
  });

  it("records each service's own revision from its wait, or none when the wait does not report it", async () => {
    let ready: Awaited<ReturnType<DeployTargetPort['status']>> = [];
    const h = harness({
      after: { web: ['api'] },
      services: ['api', 'web'],
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          // api's wait reports nothing; web's reports api first (a target that lists more than it was asked).
          waitReady: async (...args: Parameters<DeployTargetPort['waitReady']>) => {
            const [units] = args;
            await target.waitReady(...args);
            if (units[0]!.service === 'api') {
              ready = await target.status(['api']);
              return [];
            }
            return [...ready, ...(await target.status(['web']))];
          },
        }),
    });
    // api one revision ahead of web, so the two revisions differ.
    await h.deploy('v0', ['api']);
    await h.deploy('v1', ['api', 'web']);
    expect(await h.run()).toBe('ok');
    const [api, web] = await h.target.status(['api', 'web']);
    expect(api!.revision).not.toBe(web!.revision);
    expect(h.env.services.map((s) => [s.service, s.revision])).toEqual([
      ['api', null],
      ['web', web!.revision],
    ]);
    expect(h.recorder.rows.find((r) => r.kind === 'target.waitReady' && r.target === `${ENV}/api`)?.result).toEqual({ revision: null });
  });
});
