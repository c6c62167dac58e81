// The sweep of dead runs' leftovers (electron/core/leftovers.ts) at its edges, which the main test
// (leftovers.test.ts) does not reach: resources of a dead owner whose run is not in this store or has
// already finished, a run interrupted without a recorded reason, what `image.tag` steps count as
// registry tags, when the `leftovers.swept` event is written, and the Sweep wrapper's sharing and errors.
import { describe, expect, it } from 'vitest';
import { type LeftoverEngine, type OwnedResource, createSweep, sweepLeftovers } from '../../../electron/core/leftovers.js';
import type { ProcessProbe, RunOwner } from '../../../electron/core/owner.js';
import { createMemoryStore } from '../../fakes/store.js';

const self: RunOwner = { pid: 100, host: 'laptop', startedAt: '5000' };
const probe: ProcessProbe = { self, isAlive: (pid) => pid === 100 };
const deadOwner: RunOwner = { pid: 400, host: 'laptop', startedAt: '7000' };
const GONE = 'its process 400 on laptop (started 7000) no longer exists';

function fakeEngine(resources: OwnedResource[], layers: string[] = [], tags = new Map<string, string>()) {
  const present = new Set([...resources.map((r) => r.id), ...layers]);
  let lists = 0;
  const engine: LeftoverEngine = {
    listOwned: async () => {
      lists++;
      return resources.filter((r) => present.has(r.id));
    },
    removeContainer: async (id) => present.delete(id),
    removeDanglingImage: async (id) => !resources.find((r) => r.id === id)?.tagged && present.delete(id),
    imageIdOf: async (reference) => tags.get(reference) ?? null,
  };
  return { engine, present, lists: () => lists };
}

const container = (id: string, runId: string, role: OwnedResource['role']): OwnedResource => ({ kind: 'container', id, name: `name-${id}`, runId, owner: deadOwner, scope: null, role, tagged: false });
/** A run another process marked interrupted without writing a run.interrupted event. */
function interruptedWithoutReason(store: ReturnType<typeof createMemoryStore>, id: string, kind: 'build' | 'release') {
  store.createRun({ id, kind, workspace: '/ws', base: null, head: null, status: 'running', owner: deadOwner });
  store.interruptRun(id);
}
const sweptEvents = (store: ReturnType<typeof createMemoryStore>, runId: string) => store.listEvents(runId).filter((e) => e.name === 'leftovers.swept');

describe('sweepLeftovers at its edges', () => {
  it("removes a dead owner's test container even when its run is not in this store, and records nothing for it", async () => {
    const store = createMemoryStore();
    const { engine, present } = fakeEngine([container('t1', 'ghost', 'test')]);
    const said: string[] = [];
    const swept = await sweepLeftovers({ engine, store, probe, progress: (m) => said.push(m) });
    expect(swept).toEqual([{ runId: 'ghost', reason: GONE, removed: ['test container name-t1'], adopted: [], marked: false }]);
    expect(present.size).toBe(0);
    expect(said).toEqual([`Cleaned up after run ghost (${GONE}): removed test container name-t1`]);
  });

  it('a finished run found dead by its labels loses its leftover container only: not its layers, not its registry tags', async () => {
    const store = createMemoryStore();
    store.createRun({ id: 'old', kind: 'release', workspace: '/ws', base: null, head: null, status: 'running', owner: deadOwner });
    store.finishRun('old', 'succeeded');
    store.appendEvent('old', 'docker.layer', { project: 'a', imageId: 'layer1' });
    store.recordIntent({ runId: 'old', stageId: null, kind: 'image.tag', target: 'reg/shop/a:h1', detail: { imageId: 'sha256:a' } });
    const { engine, present } = fakeEngine([container('n1', 'old', 'candidate')], ['layer1'], new Map([['reg/shop/a:h1', 'sha256:a']]));
    const swept = await sweepLeftovers({ engine, store, probe });
    expect(swept).toEqual([{ runId: 'old', reason: GONE, removed: ['container name-n1'], adopted: [], marked: false }]);
    expect([...present]).toEqual(['layer1']);
    expect(store.getRun('old')?.status).toBe('succeeded');
    expect(sweptEvents(store, 'old').map((e) => e.payload)).toEqual([{ reason: GONE, by: self, removed: ['container name-n1'], adopted: [] }]);
  });

  it('a finished run whose only leftover is a service container is neither touched, said, nor recorded', async () => {
    const store = createMemoryStore();
    store.createRun({ id: 'old', kind: 'release', workspace: '/ws', base: null, head: null, status: 'running', owner: deadOwner });
    store.finishRun('old', 'succeeded');
    const { engine, present } = fakeEngine([container('svc', 'old', 'service')]);
    const said: string[] = [];
    expect(await sweepLeftovers({ engine, store, probe, progress: (m) => said.push(m) })).toEqual([]);
    expect(present.has('svc')).toBe(true);
    expect(said).toEqual([]);
    expect(sweptEvents(store, 'old')).toEqual([]);
  });

  it('a run interrupted without a recorded reason is swept as "its process is gone", even when its resources name a dead owner', async () => {
    const store = createMemoryStore();
    interruptedWithoutReason(store, 'int', 'build');
    const { engine } = fakeEngine([container('t1', 'int', 'test')]);
    const swept = await sweepLeftovers({ engine, store, probe });
    expect(swept).toEqual([{ runId: 'int', reason: 'its process is gone', removed: ['test container name-t1'], adopted: [], marked: false }]);
  });

  it('an interrupted run with nothing left in Docker still gets its leftovers.swept event, once, and is not reported', async () => {
    const store = createMemoryStore();
    interruptedWithoutReason(store, 'int', 'build');
    const { engine } = fakeEngine([]);
    expect(await sweepLeftovers({ engine, store, probe })).toEqual([]);
    expect(sweptEvents(store, 'int').map((e) => e.payload)).toEqual([{ reason: 'its process is gone', by: self, removed: [], adopted: [] }]);
    await sweepLeftovers({ engine, store, probe });
    expect(sweptEvents(store, 'int')).toHaveLength(1);
  });

  it('counts only image.tag steps as registry tags, each reference once, and never a tag whose recorded image is unknown', async () => {
    const store = createMemoryStore();
    interruptedWithoutReason(store, 'int', 'release');
    const step = (kind: string, target: string, detail: import('../../../electron/core/ports/json.js').JsonValue) => store.recordIntent({ runId: 'int', stageId: null, kind, target, detail });
    step('image.tag', 'reg/shop/a:h1', { imageId: 'sha256:a' });
    step('image.tag', 'reg/shop/a:h1', { imageId: 'sha256:a' }); // a retried tag: the same reference again
    step('image.push', 'reg/shop/b:h1', { imageId: 'sha256:b' }); // not a tag step
    step('image.tag', 'reg/shop/c:h1', null); // no detail recorded
    step('image.tag', 'reg/shop/d:h1', { imageId: null }); // no image recorded, and no such tag now
    const tags = new Map([['reg/shop/a:h1', 'sha256:a'], ['reg/shop/b:h1', 'sha256:b'], ['reg/shop/c:h1', 'sha256:c']]);
    const { engine } = fakeEngine([], [], tags);
    const swept = await sweepLeftovers({ engine, store, probe });
    expect(swept.map((s) => s.adopted)).toEqual([['tag reg/shop/a:h1']]);
  });
});

describe('createSweep', () => {
  const failing = (reason: unknown): LeftoverEngine => ({
    listOwned: async () => Promise.reject(reason),
    removeContainer: async () => false,
    removeDanglingImage: async () => false,
    imageIdOf: async () => null,
  });

  it('never fails the work: not without a progress callback, not on a rejection that is not an Error', async () => {
    const store = createMemoryStore();
    await expect(createSweep({ engine: failing(new Error('engine says no')), store, probe })()).resolves.toBeUndefined();
    const said: string[] = [];
    await expect(createSweep({ engine: failing(null), store, probe })((m) => said.push(m))).resolves.toBeUndefined();
    expect(said).toEqual(['Could not check for what dead runs left behind: null']);
  });

  it('work started together shares one sweep; work started after it has finished sweeps again', async () => {
    const store = createMemoryStore();
    const { engine, lists } = fakeEngine([]);
    const sweep = createSweep({ engine, store, probe });
    await Promise.all([sweep(), sweep()]);
    expect(lists()).toBe(1);
    await sweep();
    expect(lists()).toBe(2);
  });
});
