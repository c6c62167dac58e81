// The leased target (leased-target.ts): changes (apply, rollback, remove) run under the environment's
// lease for the right run id, reads take none, and every call reaches the wrapped target. No test in
// the mutation config reached this file before (docs/mutation.md).
import { describe, expect, it } from 'vitest';
import { createLeaseKeeper } from '../../../electron/core/lease.js';
import { leasedTarget } from '../../../electron/core/leased-target.js';
import type { DeployTargetPort, DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { createMemoryStore } from '../../fakes/store.js';

function setup() {
  const store = createMemoryStore();
  const keeper = createLeaseKeeper({ store, self: { pid: 7, host: 'box', isAlive: () => true }, every: () => () => undefined });
  const calls: Array<{ call: string; args: unknown[]; leasedBy: string | null }> = [];
  const note = (call: string, args: unknown[]) => calls.push({ call, args, leasedBy: store.getLease('staging')?.runId ?? null });
  const inner = {
    kind: 'kubernetes',
    environment: 'staging',
    diff: async (...args: unknown[]) => (note('diff', args), { environment: 'staging', objects: [], text: 'diff' }),
    apply: async (...args: unknown[]) => (note('apply', args), { environment: 'staging', objects: [] }),
    waitReady: async (...args: unknown[]) => (note('waitReady', args), []),
    status: async (...args: unknown[]) => (note('status', args), []),
    revisions: async (...args: unknown[]) => (note('revisions', args), []),
    rollback: async (...args: unknown[]) => (note('rollback', args), { service: 'api', from: '2', to: '1', current: '1' }),
    remove: async (...args: unknown[]) => (note('remove', args), { service: 'api', removed: [] }),
    objects: async function (this: unknown, ...args: unknown[]) {
      note(this === inner ? 'objects on the target' : 'objects elsewhere', args);
      return [];
    },
    close: async () => void note('close', []),
  } as unknown as DeployTargetPort;
  return { target: leasedTarget(inner, keeper), calls, store };
}

const unit = (releaseId: string) => ({ service: 'api', image: 'shop/api:1', releaseId }) as DeployUnit;

describe('leasedTarget', () => {
  it('applies under the lease of the run given, else of the units release, else an ad-hoc run', async () => {
    const { target, calls, store } = setup();
    await target.apply([unit('rel-1')], { runId: 'run-9' });
    await target.apply([unit('rel-1')]);
    await target.apply([]);
    expect(calls.map((c) => [c.call, c.leasedBy])).toEqual([['apply', 'run-9'], ['apply', 'rel-1'], ['apply', 'pid7-change-1']]);
    expect(calls[0]!.args).toEqual([[unit('rel-1')], { runId: 'run-9' }]);
    expect(store.getLease('staging')).toBeNull();
  });

  it('rolls back and removes under the lease of the run given, else an ad-hoc run, passing every argument on', async () => {
    const { target, calls } = setup();
    expect(await target.rollback('api', '1', { runId: 'run-9' })).toEqual({ service: 'api', from: '2', to: '1', current: '1' });
    await target.rollback('api');
    expect(await target.remove('api', { runId: 'run-9' })).toEqual({ service: 'api', removed: [] });
    await target.remove('api');
    expect(calls.map((c) => [c.call, c.leasedBy, c.args])).toEqual([
      ['rollback', 'run-9', ['api', '1', { runId: 'run-9' }]],
      ['rollback', 'pid7-change-1', ['api', undefined, undefined]],
      ['remove', 'run-9', ['api', { runId: 'run-9' }]],
      ['remove', 'pid7-change-2', ['api', undefined]],
    ]);
  });

  it('reads without a lease, passing every argument on, and keeps kind, environment, objects and close', async () => {
    const { target, calls } = setup();
    const options = { runId: 'run-9' };
    expect(target.kind).toBe('kubernetes');
    expect(target.environment).toBe('staging');
    expect((await target.diff([unit('r')], options)).text).toBe('diff');
    await target.waitReady([unit('r')], { deadlineMs: 5 });
    await target.status(['api'], options);
    await target.revisions('api', options);
    await target.objects!([], options);
    await target.close!();
    expect(calls).toEqual([
      { call: 'diff', args: [[unit('r')], options], leasedBy: null },
      { call: 'waitReady', args: [[unit('r')], { deadlineMs: 5 }], leasedBy: null },
      { call: 'status', args: [['api'], options], leasedBy: null },
      { call: 'revisions', args: ['api', options], leasedBy: null },
      { call: 'objects on the target', args: [[], options], leasedBy: null },
      { call: 'close', args: [], leasedBy: null },
    ]);
  });

  it('has no close or objects when the wrapped target has none', () => {
    const { kind, environment, diff, apply, waitReady, status, revisions, rollback, remove } = setup().target;
    const bare = { kind, environment, diff, apply, waitReady, status, revisions, rollback, remove } as DeployTargetPort;
    const keeper = createLeaseKeeper({ store: createMemoryStore(), self: { pid: 1, host: 'h', isAlive: () => true } });
    const wrapped = leasedTarget(bare, keeper);
    expect('close' in wrapped).toBe(false);
    expect('objects' in wrapped).toBe(false);
  });
});
