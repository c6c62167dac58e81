// runEnvironment (electron/core/release/environment-run.ts) run directly: what it writes to the journal
// (each side effect's intent detail and result), the message of each stage it finishes, the diff and
// live state it keeps in the record, and the units it asks the environment for.
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../../shared/errors.js';
import type { ApplyOptions, DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import { FakeApprover } from '../../../fakes/release-run.js';
import { ENV, RELEASE, builtOf, harness, idOf, imageOf, stagesOf } from '../../../support/environment-run-harness.js';

const SERVICES = ['api', 'worker', 'web'];

describe('environment run: journal and stage messages', () => {
  it('journals the approval, each apply and each wait with their details and results', async () => {
    const applyOptions: ApplyOptions[] = [];
    const approver = new FakeApprover({ decision: 'approved', by: 'alice', at: '2026-01-01T00:00:00.000Z', comment: 'go' });
    const h = harness({
      approval: true,
      approver,
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          apply: (...args: Parameters<DeployTargetPort['apply']>) => {
            applyOptions.push(args[1]!);
            return target.apply(...args);
          },
        }),
    });
    await h.deploy('v1');
    expect(await h.run()).toBe('ok');

    expect(h.recorder.rows.filter((r) => r.kind === 'release.approval')).toEqual([
      { stage: 'approval', kind: 'release.approval', target: ENV, detail: { services: SERVICES }, ok: true, result: { decision: 'approved', by: 'alice', at: '2026-01-01T00:00:00.000Z', comment: 'go' } },
    ]);
    for (const service of SERVICES) {
      const rows = h.recorder.rows.filter((r) => r.target === `${ENV}/${service}`);
      const [live] = await h.target.status([service]);
      expect(rows).toEqual([
        {
          stage: 'waves',
          kind: 'target.apply',
          target: `${ENV}/${service}`,
          detail: { image: imageOf(service, 'v2'), before: { revision: '1', image: imageOf(service, 'v1'), state: 'ready' } },
          ok: true,
          result: { objects: [`Deployment ${ENV}/${service}: configured`] },
        },
        { stage: 'waves', kind: 'target.waitReady', target: `${ENV}/${service}`, detail: { deadlineMs: 60_000 }, ok: true, result: { revision: live!.revision } },
      ]);
    }
    expect(h.recorder.rows.map((r) => r.kind)).toEqual(['release.approval', 'target.apply', 'target.apply', 'target.waitReady', 'target.waitReady', 'target.apply', 'target.waitReady']);
    // Each apply runs in the release's run, with the stop signal and the per-object journal.
    expect(applyOptions).toHaveLength(3);
    for (const options of applyOptions) {
      expect(options.runId).toBe(RELEASE);
      expect(options.signal).toBeInstanceOf(AbortSignal);
      expect(options.objects).toBeDefined();
    }
    expect(h.release.applies).toBe(3);
  });

  it('finishes each stage with its message, keeps the diff without its text per object, and the live state after verify', async () => {
    // web's object reads as unchanged in the diff (as if someone applied the same template by hand).
    const h = harness({
      approval: true,
      gates: { hostAccess: false },
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          diff: async (...args: Parameters<DeployTargetPort['diff']>) => {
            const diff = await target.diff(...args);
            return { ...diff, text: `${diff.text}token s3cret\n`, objects: diff.objects.map((o) => (o.service === 'web' ? { ...o, change: 'unchanged' as const, diff: '' } : o)) };
          },
        }),
    });
    await h.deploy('v1');
    expect(await h.run()).toBe('ok');

    expect(stagesOf(h.release)).toEqual([
      'gates:succeeded:3 gate(s) passed',
      'diff:succeeded:2 object(s) change',
      'approval:succeeded:approved by alice',
      'waves:succeeded:null',
      'verify:succeeded:3 service(s) ready on the released images',
    ]);
    expect(h.env.gates!.results.map((r) => [r.gate, r.enabled])).toContainEqual(['hostAccess', false]);
    expect(h.env.diff!.text.endsWith('token [redacted]\n')).toBe(true);
    expect(h.env.diff!.objects).toEqual([
      { service: 'api', object: `Deployment ${ENV}/api`, change: 'modify' },
      { service: 'worker', object: `Deployment ${ENV}/worker`, change: 'modify' },
      { service: 'web', object: `Deployment ${ENV}/web`, change: 'unchanged' },
    ]);
    expect(h.env.state).toBe('succeeded');
    expect(h.env.live).toEqual(await h.target.status(SERVICES));
    expect(h.env.live.map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
    // The clock moves one second per reading: each service took a few seconds, not a timestamp's worth.
    for (const s of h.env.services) expect(s.durationMs).toBeGreaterThan(0);
    for (const s of h.env.services) expect(s.durationMs).toBeLessThan(60_000);
  });

  it('counts the rollback outcomes in the rollback stage, returns failed, and keeps the live state after the rollback', async () => {
    // One wave (api, web, worker; rolled back in reverse). api's new container never gets healthy (the Docker target keeps the old one serving:
    // already there), worker is rolled back to v1, web ran nowhere before (removed).
    const h = harness({ kind: 'docker', after: {} });
    await h.deploy('v1', ['api', 'worker']);
    h.target.failRollout('api');
    expect(await h.run()).toBe('failed');

    expect(h.env.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['worker', 'rolled-back'],
      ['web', 'removed'],
      ['api', 'already-there'],
    ]);
    expect(stagesOf(h.release).at(-1)).toBe('rollback:succeeded:1 rolled back, 1 removed, 1 already there, 0 not restored');
    expect(h.env.state).toBe('rolled-back');
    expect(h.env.live).toEqual(await h.target.status(SERVICES));
    expect(h.env.live.map((s) => [s.service, s.image, s.state])).toEqual([
      ['api', imageOf('api', 'v1'), 'ready'],
      ['worker', imageOf('worker', 'v1'), 'ready'],
      ['web', null, 'missing'],
    ]);
  });

  it('a status read that fails after the rollback leaves the live state empty', async () => {
    let reads = 0;
    const h = harness({
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          // The first read of all three (what runs now) works; the one after the rollback fails.
          status: async (services: string[]) => {
            if (services.length === SERVICES.length && ++reads > 1) throw new ConvoyError('KUBE_UNREACHABLE', 'the cluster went away');
            return target.status(services);
          },
        }),
    });
    await h.deploy('v1');
    h.target.failOn('waitReady', 'web', new ConvoyError('ROLLOUT_FAILED', 'web crashed'));
    expect(await h.run()).toBe('failed');
    expect(h.env.rollbacks.map((r) => r.outcome)).toEqual(['rolled-back', 'rolled-back', 'rolled-back']);
    expect(h.env.state).toBe('rolled-back');
    expect(h.env.live).toEqual([]);
  });

  it('asks for each unit with the local reference a registry image was pushed from, and resolves IDs only for what deploys', async () => {
    const pushed = builtOf(SERVICES, 'v2').map((b) => ({ ...b, image: `reg.example/shop/${b.service}@sha256:${b.service}`, source: b.image }));
    const resolved: string[] = [];
    const h = harness({
      built: pushed,
      resolveId: async (b) => {
        resolved.push(b.service);
        return b.imageId;
      },
    });
    // api already runs its pushed image, ready: it is skipped, so its reference is not resolved.
    await h.target.apply([{ service: 'api', image: pushed[0]!.image, releaseId: 'rel-1', commit: 'c0ffee', manifestsDir: null, port: 8080, health: '/healthz', env: {} }]);
    expect(await h.run()).toBe('ok');
    expect(h.env.skipped.map((s) => s.service)).toEqual(['api']);
    expect(resolved.sort()).toEqual(['web', 'worker']);
    expect(h.unitCalls).toEqual([
      ['worker', pushed[1]!.image, imageOf('worker', 'v2')],
      ['web', pushed[2]!.image, imageOf('web', 'v2')],
    ]);
  });

  it('without a registry, each unit is asked for with its own image as the source, and IDs come from the image inspector', async () => {
    const asked: string[] = [];
    const imageId = async (reference: string) => {
      asked.push(reference);
      return idOf(reference.split(/[/:]/)[1]!, 'v2');
    };
    const h = harness({ images: { imageId } });
    expect(await h.run()).toBe('ok');
    expect(h.unitCalls).toEqual(SERVICES.map((s) => [s, imageOf(s, 'v2'), imageOf(s, 'v2')]));
    expect(asked.sort()).toEqual(SERVICES.map((s) => imageOf(s, 'v2')).sort());
  });
});
