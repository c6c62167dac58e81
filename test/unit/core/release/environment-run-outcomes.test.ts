// runEnvironment (electron/core/release/environment-run.ts) run directly: the outcome it returns and
// the state it leaves for each way an environment ends (gates, approval failed, cancelled or rejected,
// verify, a store that refused a write, manual rollback), and the record as it is while it runs.
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../../shared/errors.js';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import type { Approver } from '../../../../electron/core/release/run-ports.js';
import { FakeApprover } from '../../../fakes/release-run.js';
import { ENV, harness, imageOf, stagesOf } from '../../../support/environment-run-harness.js';

type Status = Awaited<ReturnType<DeployTargetPort['status']>>[number];

/** The fake target, except that its second read of every service (verify's) passes through `change`. */
const changeVerify = (change: (s: Status) => Status) => (target: DeployTargetPort) => {
  let reads = 0;
  return Object.assign(Object.create(target) as DeployTargetPort, {
    status: async (services: string[]) => {
      const now = await target.status(services);
      return services.length === 3 && ++reads === 2 ? now.map(change) : now;
    },
  });
};

describe('environment run: outcomes and states', () => {
  it('shows the environment running, awaiting approval, then each service applying and waiting', async () => {
    const seen: string[] = [];
    const h = harness({
      approval: true,
      approver: {
        request: async () => {
          seen.push(`approval: release ${h.release.state}, env ${h.env.state}, approval ${h.env.approval.state}`);
          return { decision: 'approved', by: 'alice', at: '2026-01-01T00:00:00.000Z', comment: null };
        },
      },
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          apply: (...args: Parameters<DeployTargetPort['apply']>) => {
            const entry = h.env.services.find((s) => s.service === args[0][0]!.service)!;
            seen.push(`apply ${entry.service}: ${entry.outcome}, release ${h.release.state}, env ${h.env.state}`);
            return target.apply(...args);
          },
          waitReady: (...args: Parameters<DeployTargetPort['waitReady']>) => {
            const entry = h.env.services.find((s) => s.service === args[0][0]!.service)!;
            seen.push(`wait ${entry.service}: ${entry.outcome}`);
            return target.waitReady(...args);
          },
        }),
    });
    expect(await h.run()).toBe('ok');
    expect(h.snapshots[0]!.environments[0]!.state).toBe('running');
    expect(seen).toEqual([
      'approval: release awaiting-approval, env awaiting-approval, approval waiting',
      'apply api: applying, release running, env running',
      'apply worker: applying, release running, env running',
      'wait api: waiting',
      'wait worker: waiting',
      'apply web: applying, release running, env running',
      'wait web: waiting',
    ]);
    expect(h.env.approval).toEqual({ required: true, state: 'approved', by: 'alice', at: '2026-01-01T00:00:00.000Z', comment: null });
  });

  it('an approver that fails: approval not reached, the stage failed with its message, the release running again', async () => {
    const approver: Approver = { request: () => Promise.reject(new ConvoyError('INTERNAL', 'the approval service is down')) };
    const h = harness({ approval: true, approver });
    expect(await h.run()).toBe('failed');
    expect(h.release.state).toBe('running');
    expect(h.env.state).toBe('failed');
    expect(h.env.approval.state).toBe('not-reached');
    expect(h.env.cause).toEqual({ code: 'INTERNAL', message: 'the approval service is down' });
    expect(stagesOf(h.release).at(-1)).toBe('approval:failed:the approval service is down');
  });

  it('a cancel while the approval waits: the approval stage and the environment are cancelled', async () => {
    const controller = new AbortController();
    const approver = new FakeApprover('hold');
    const h = harness({ approval: true, approver, signal: controller.signal });
    const outcome = h.run();
    await approver.waiting();
    controller.abort();
    expect(await outcome).toBe('cancelled');
    expect(h.release.state).toBe('running');
    expect(h.env.state).toBe('cancelled');
    expect(h.env.cause).toEqual({ code: 'CANCELLED', message: `approval for ${ENV} was cancelled` });
    expect(stagesOf(h.release).at(-1)).toBe(`approval:cancelled:approval for ${ENV} was cancelled`);
    expect(h.env.services.map((s) => s.outcome)).toEqual(['not-started', 'not-started', 'not-started']);
  });

  it('a rejection with a comment: the environment is rejected, and the cause quotes the comment', async () => {
    const approver = new FakeApprover({ decision: 'rejected', by: 'bob', at: '2026-01-02T00:00:00.000Z', comment: 'not on a Friday' });
    const h = harness({ approval: true, approver });
    expect(await h.run()).toBe('rejected');
    expect(h.env.state).toBe('rejected');
    expect(h.env.cause).toEqual({ code: 'APPROVAL_REJECTED', message: `bob rejected the release in ${ENV}: not on a Friday; nothing was applied there` });
    expect(h.env.approval).toEqual({ required: true, state: 'rejected', by: 'bob', at: '2026-01-02T00:00:00.000Z', comment: 'not on a Friday' });
    expect(h.target.calls.filter((c) => c.method === 'apply')).toEqual([]);
  });

  it('a gate that refuses returns failed', async () => {
    const h = harness({ images: { imageId: async (reference) => `sha256:retagged-${reference}` } });
    expect(await h.run()).toBe('failed');
    expect(h.env.state).toBe('failed');
    expect(h.env.cause?.code).toBe('GATE_FAILED');
  });

  it('verify names every service that is wrong, one with no image, and rolls back', async () => {
    const h = harness({
      port: changeVerify((s) => {
        if (s.service === 'worker') return { ...s, state: 'progressing', message: 'pods 1/2' };
        if (s.service === 'web') return { ...s, state: 'missing', image: null, revision: null, message: 'gone' };
        return s;
      }),
    });
    await h.deploy('v1');
    expect(await h.run()).toBe('failed');
    const message = `${ENV}/worker: progressing on ${imageOf('worker', 'v2')}, expected ${imageOf('worker', 'v2')} ready (pods 1/2); ${ENV}/web: missing on no image, expected ${imageOf('web', 'v2')} ready (gone)`;
    expect(h.env.cause).toEqual({ code: 'HEALTH_FAILED', message });
    expect(stagesOf(h.release).slice(-2)).toEqual([`verify:failed:${message}`, 'rollback:succeeded:3 rolled back, 0 removed, 0 already there, 0 not restored']);
    expect(h.env.state).toBe('rolled-back');
  });

  it('a store that refused a bookkeeping write: verify fails, nothing is rolled back, the cause lists what is live and stopped nothing', async () => {
    const h = harness({
      refused: () => new ConvoyError('STORE_ERROR', 'disk full.'),
      port: changeVerify((s) => (s.service === 'web' ? { ...s, state: 'progressing' } : s)),
    });
    await h.deploy('v1');
    expect(await h.run()).toBe('failed');
    expect(h.env.state).toBe('failed');
    expect(h.env.cause).toEqual({
      code: 'STORE_ERROR',
      message: `disk full. The release stopped in ${ENV} at the first write the store refused: nothing was applied after it, and nothing was rolled back (a rollback could not be recorded either); applied and ready before it: api, worker, web. Once the store can be written, roll back with convoy undo rel-2 --env ${ENV}.`,
    });
    expect(h.target.calls.filter((c) => c.method === 'rollback' || c.method === 'remove')).toEqual([]);
  });

  it('manual rollback after a failure: no rollback stage, the cause says how to undo, and the outcome is failed', async () => {
    const h = harness({ rollback: 'manual' });
    await h.deploy('v1');
    h.target.failOn('waitReady', 'web', new ConvoyError('ROLLOUT_FAILED', 'web crashed'));
    expect(await h.run()).toBe('failed');
    expect(h.env.state).toBe('failed');
    expect(h.env.cause).toEqual({ code: 'ROLLOUT_FAILED', message: `web crashed; rollback is manual in ${ENV}: run convoy undo rel-2 --env ${ENV}` });
    expect(h.release.stages.map((s) => s.name)).not.toContain('rollback');
    expect(h.env.rollbacks).toEqual([]);
  });

  it('manual rollback after a cancel while deploying: cancelled, the waves stage cancelled, the cause says where and how to undo', async () => {
    const controller = new AbortController();
    const h = harness({
      rollback: 'manual',
      signal: controller.signal,
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          apply: (...args: Parameters<DeployTargetPort['apply']>) => {
            // worker starts after api: both are in flight and finish; web (next wave) does not start.
            if (args[0][0]!.service === 'worker') controller.abort();
            return target.apply(...args);
          },
        }),
    });
    await h.deploy('v1');
    expect(await h.run()).toBe('cancelled');
    expect(h.env.state).toBe('cancelled');
    expect(h.env.services.map((s) => [s.service, s.outcome])).toEqual([['api', 'ready'], ['worker', 'ready'], ['web', 'not-started']]);
    expect(stagesOf(h.release).at(-1)).toBe('waves:cancelled:null');
    expect(h.env.cause).toEqual({ code: 'CANCELLED', message: `The release was cancelled while deploying to ${ENV}; rollback is manual in ${ENV}: run convoy undo rel-2 --env ${ENV}` });
  });

  it('a cancel while deploying whose rollback does not restore everything: the environment stays cancelled', async () => {
    const controller = new AbortController();
    const h = harness({
      signal: controller.signal,
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          apply: (...args: Parameters<DeployTargetPort['apply']>) => {
            if (args[0][0]!.service === 'worker') controller.abort();
            return target.apply(...args);
          },
        }),
    });
    await h.deploy('v1');
    h.target.failOn('rollback', 'worker', new ConvoyError('KUBE_UNREACHABLE', 'the cluster went away'));
    expect(await h.run()).toBe('cancelled');
    expect(h.env.rollbacks.map((r) => [r.service, r.outcome])).toEqual([['worker', 'failed'], ['api', 'rolled-back']]);
    expect(stagesOf(h.release).at(-1)).toBe('rollback:failed:1 rolled back, 0 removed, 0 already there, 1 not restored');
    expect(h.env.state).toBe('cancelled');
    expect(h.env.cause).toEqual({ code: 'CANCELLED', message: `The release was cancelled while deploying to ${ENV}` });
  });

  it('a service that fails while the user cancels is a failure (rolled back), not a cancel', async () => {
    const controller = new AbortController();
    const h = harness({
      signal: controller.signal,
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          apply: async (...args: Parameters<DeployTargetPort['apply']>) => {
            if (args[0][0]!.service !== 'api') return target.apply(...args);
            controller.abort();
            throw new ConvoyError('PORT_IN_USE', 'port 8080 is taken');
          },
        }),
    });
    await h.deploy('v1');
    expect(await h.run()).toBe('failed');
    expect(h.env.state).toBe('rolled-back');
    expect(h.env.cause).toEqual({ code: 'PORT_IN_USE', message: 'port 8080 is taken' });
    expect(stagesOf(h.release).filter((s) => s.startsWith('waves'))).toEqual(['waves:failed:port 8080 is taken']);
  });
});
