// The sweep of dead runs' leftovers (electron/core/leftovers.ts) over a fake engine and the in-memory
// store: what is removed, adopted and left alone, which runs are marked, and what is said. Owners are
// judged by electron/core/owner.ts (the same check as for runs and leases); runs carry their owner on
// the row.
import { describe, expect, it } from 'vitest';
import { type LeftoverEngine, type OwnedResource, createSweep, sweepLeftovers } from '../../../electron/core/leftovers.js';
import { ownerFromLabels, runLabels } from '../../../electron/core/run-owner.js';
import { type ProcessProbe, type RunOwner, interruptDeadRuns, ownerGone } from '../../../electron/core/owner.js';
import { crashWanted } from '../../../electron/core/crash-points.js';
import { createMemoryStore } from '../../fakes/store.js';

const self: RunOwner = { pid: 100, host: 'laptop', startedAt: '5000' };
const alive = new Map<number, string>([
  [100, '5000'],
  [200, '6000'],
  [300, '9999'],
]);
const probe: ProcessProbe = { self, isAlive: (pid, startedAt) => alive.has(pid) && (startedAt === null || alive.get(pid) === startedAt) };
const deadOwner: RunOwner = { pid: 400, host: 'laptop', startedAt: '7000' };
const liveOwner: RunOwner = { pid: 200, host: 'laptop', startedAt: '6000' };

function fakeEngine(resources: OwnedResource[], danglingLayers: string[] = [], tags = new Map<string, string>()) {
  const present = new Set([...resources.map((r) => r.id), ...danglingLayers]);
  const calls: string[] = [];
  const engine: LeftoverEngine = {
    listOwned: async () => resources.filter((r) => present.has(r.id)),
    removeContainer: async (id) => {
      calls.push(`rm container ${id}`);
      return present.delete(id);
    },
    removeDanglingImage: async (id) => {
      calls.push(`rmi ${id}`);
      const resource = resources.find((r) => r.id === id);
      if (resource?.tagged) return false;
      return present.delete(id);
    },
    imageIdOf: async (reference) => tags.get(reference) ?? null,
  };
  return { engine, calls, present };
}

const container = (id: string, runId: string, owner: RunOwner, role: OwnedResource['role']): OwnedResource => ({ kind: 'container', id, name: `name-${id}`, runId, owner, scope: null, role, tagged: false });
const image = (id: string, runId: string, owner: RunOwner, tagged: boolean): OwnedResource => ({ kind: 'image', id, name: tagged ? `repo:${id}` : id, runId, owner, scope: null, role: 'image', tagged });

describe('ownerGone', () => {
  it('judges only owners on this host: a gone pid, or a pid now held by a process that started at another time', () => {
    expect(ownerGone(deadOwner, probe)).toBe('its process 400 on laptop (started 7000) no longer exists');
    expect(ownerGone({ pid: 300, host: 'laptop', startedAt: '1234' }, probe)).toBe('its process 300 on laptop (started 1234) no longer exists');
    expect(ownerGone(liveOwner, probe)).toBeNull();
    expect(ownerGone({ pid: 400, host: 'other', startedAt: null }, probe)).toBeNull();
    expect(ownerGone(self, probe)).toBeNull();
    expect(ownerGone({ pid: 300, host: 'laptop', startedAt: null }, probe)).toBeNull();
  });

  it('reads back the owner it wrote into labels, and refuses malformed ones', () => {
    expect(ownerFromLabels(runLabels('run-1', deadOwner, 'store-a'))).toEqual({ runId: 'run-1', owner: deadOwner, scope: 'store-a' });
    expect(ownerFromLabels(runLabels('run-1', { ...deadOwner, startedAt: null }))).toEqual({ runId: 'run-1', owner: { ...deadOwner, startedAt: null }, scope: null });
    expect(ownerFromLabels({ 'dev.convoy.run': 'r', 'dev.convoy.owner-pid': 'x', 'dev.convoy.owner-host': 'h' })).toBeNull();
    expect(ownerFromLabels(undefined)).toBeNull();
  });
});

describe('crashWanted', () => {
  it('matches a point by name, at its N-th hit with #N', () => {
    expect(crashWanted('docker.test.started', 'docker.test.started', 1)).toBe(true);
    expect(crashWanted('docker.test.started', 'docker.test.started', 2)).toBe(false);
    expect(crashWanted('docker.build.layer#3', 'docker.build.layer', 3)).toBe(true);
    expect(crashWanted('docker.build.layer#3', 'docker.build.layer', 1)).toBe(false);
    expect(crashWanted(undefined, 'docker.build.layer', 1)).toBe(false);
    expect(crashWanted('other', 'docker.build.layer', 1)).toBe(false);
  });

  it('splits at the last #, so a setting that starts with # names the empty point, never the point "#N"', () => {
    expect(crashWanted('#2', '', 2)).toBe(true);
    expect(crashWanted('#2', '', 1)).toBe(false);
    expect(crashWanted('#1', '#1', 1)).toBe(false);
  });
});

describe('sweepLeftovers', () => {
  it("removes a dead run's test container, candidate and untagged images, adopts its tagged image, keeps its service containers, and marks it", async () => {
    const store = createMemoryStore();
    store.createRun({ id: 'dead', kind: 'build', workspace: '/ws', base: null, head: null, status: 'running', owner: deadOwner });
    const stage = store.startStage({ runId: 'dead', name: 'build' });
    store.appendEvent('dead', 'docker.layer', { project: 'a', imageId: 'layer1' });
    store.appendEvent('dead', 'docker.layer', { project: 'a', imageId: 'layer2' });
    const { engine, calls, present } = fakeEngine(
      [
        container('test1', 'dead', deadOwner, 'test'),
        container('next1', 'dead', deadOwner, 'candidate'),
        container('svc1', 'dead', deadOwner, 'service'),
        image('img-untagged', 'dead', deadOwner, false),
        image('img-tagged', 'dead', deadOwner, true),
        container('live-test', 'live', liveOwner, 'test'),
      ],
      ['layer1', 'layer2'],
    );
    const said: string[] = [];
    const swept = await sweepLeftovers({ engine, store, probe, progress: (m) => said.push(m) });

    expect(swept).toEqual([
      {
        runId: 'dead',
        reason: 'its process 400 on laptop (started 7000) no longer exists',
        removed: ['test container name-test1', 'container name-next1', 'image img-untagged', 'intermediate image layer2', 'intermediate image layer1'],
        adopted: ['image repo:img-tagged'],
        marked: true,
      },
    ]);
    expect([...present].sort()).toEqual(['img-tagged', 'live-test', 'svc1']);
    expect(calls).not.toContain('rm container svc1');
    expect(calls).not.toContain('rm container live-test');
    expect(store.getRun('dead')?.status).toBe('interrupted');
    expect(store.listStages('dead')).toMatchObject([{ id: stage.id, status: 'failed' }]);
    const events = store.listEvents('dead').map((e) => e.name);
    expect(events).toEqual(expect.arrayContaining(['run.interrupted', 'leftovers.swept']));
    expect(said).toEqual([expect.stringMatching(/^Cleaned up after run dead \(its process 400 on laptop \(started 7000\) no longer exists\): marked build dead interrupted; removed test container name-test1, .*; kept image repo:img-tagged \(its build had finished\)$/)]);

    // A second sweep finds nothing more to do and says nothing.
    said.length = 0;
    expect(await sweepLeftovers({ engine, store, probe, progress: (m) => said.push(m) })).toEqual([]);
    expect(said).toEqual([]);
  });

  it('marks a dead rollback that left nothing in Docker and gives back the lease it held; a live run is not touched', async () => {
    const store = createMemoryStore();
    store.createRun({ id: 'rb', kind: 'rollback', workspace: '/ws', environment: 'staging', base: null, head: null, status: 'running', owner: deadOwner });
    store.acquireLease({ environment: 'staging', runId: 'rb', pid: deadOwner.pid, host: deadOwner.host }, () => false);
    store.createRun({ id: 'busy', kind: 'build', workspace: '/ws', base: null, head: null, status: 'running', owner: liveOwner });
    const { engine } = fakeEngine([]);
    const swept = await sweepLeftovers({ engine, store, probe });
    expect(swept.map((s) => [s.runId, s.marked])).toEqual([['rb', true]]);
    expect(store.getRun('rb')?.status).toBe('interrupted');
    expect(store.getLease('staging')).toBeNull();
    expect(store.getRun('busy')?.status).toBe('running');
  });

  it("judges only its own store's resources: another store's dead run is left for a process of that store", async () => {
    const store = createMemoryStore();
    const other = { ...container('next', 'elsewhere', deadOwner, 'candidate'), scope: 'store-b' };
    const { engine, present } = fakeEngine([other]);
    expect(await sweepLeftovers({ engine, store, probe, scope: 'store-a' })).toEqual([]);
    expect(present.has('next')).toBe(true);
  });

  it('marks a dead release run interrupted like any other kind, and removes its candidate', async () => {
    const store = createMemoryStore();
    store.createRun({ id: 'rel', kind: 'release', workspace: '/ws', environment: 'staging', base: null, head: null, status: 'running', owner: deadOwner });
    const { engine, present } = fakeEngine([container('next', 'rel', deadOwner, 'candidate')]);
    const swept = await sweepLeftovers({ engine, store, probe });
    expect(swept).toMatchObject([{ runId: 'rel', removed: ['container name-next'], marked: true }]);
    expect(present.size).toBe(0);
    expect(store.getRun('rel')?.status).toBe('interrupted');
  });

  it('a release left running by a live process is not touched, nor its candidate', async () => {
    const store = createMemoryStore();
    store.createRun({ id: 'rel', kind: 'release', workspace: '/ws', environment: 'staging', base: null, head: null, status: 'running', owner: liveOwner });
    const { engine, present } = fakeEngine([container('next', 'rel', liveOwner, 'candidate')]);
    expect(await sweepLeftovers({ engine, store, probe })).toEqual([]);
    expect(present.has('next')).toBe(true);
    expect(store.getRun('rel')?.status).toBe('running');
  });

  it('a run marked by an earlier process (as its store opened) has its layers removed and its tagged image adopted by the next sweep, once', async () => {
    const store = createMemoryStore();
    store.createRun({ id: 'dead', kind: 'build', workspace: '/ws', base: null, head: null, status: 'running', owner: deadOwner });
    store.appendEvent('dead', 'docker.layer', { project: 'a', imageId: 'layer1' });
    const marked = interruptDeadRuns(store, probe);
    expect(marked.map((m) => ({ runId: m.run.id, kind: m.run.kind, reason: m.reason }))).toEqual([{ runId: 'dead', kind: 'build', reason: 'its process 400 on laptop (started 7000) no longer exists' }]);
    expect(store.getRun('dead')?.status).toBe('interrupted');
    expect(interruptDeadRuns(store, probe)).toEqual([]);

    const { engine, present } = fakeEngine([image('img', 'dead', deadOwner, true)], ['layer1']);
    const said: string[] = [];
    const sweep = createSweep({ engine, store, probe });
    await sweep((m) => said.push(m));
    expect([...present]).toEqual(['img']);
    expect(said).toEqual(['Cleaned up after run dead (its process 400 on laptop (started 7000) no longer exists): removed intermediate image layer1; kept image repo:img (its build had finished)']);
    await sweep((m) => said.push(m));
    expect(said).toHaveLength(1);
  });

  it("adopts the registry tags a dead release's pushes made (image.tag steps) while they name the image it recorded, and only those", async () => {
    const store = createMemoryStore();
    store.createRun({ id: 'dead', kind: 'release', workspace: '/ws', base: null, head: null, status: 'running', owner: deadOwner });
    const tag = (reference: string, finished: boolean) => {
      const id = store.recordIntent({ runId: 'dead', stageId: null, kind: 'image.tag', target: reference, detail: { image: 'shop/a:h1', imageId: 'sha256:built' } });
      if (finished) store.recordResult(id, { ok: true, detail: null });
    };
    tag('reg:5000/shop/a:h1', true);
    tag('reg:5000/shop/b:h1', false); // killed between the tag's intent and its result: the tag was made
    tag('reg:5000/shop/c:h1', false); // killed before the engine made it
    tag('reg:5000/shop/d:h1', true); // moved to another image since
    const tags = new Map([['reg:5000/shop/a:h1', 'sha256:built'], ['reg:5000/shop/b:h1', 'sha256:built'], ['reg:5000/shop/d:h1', 'sha256:other']]);
    const { engine, calls } = fakeEngine([], [], tags);
    const said: string[] = [];
    const swept = await sweepLeftovers({ engine, store, probe, progress: (m) => said.push(m) });
    expect(swept.map((s) => [s.runId, s.adopted, s.removed])).toEqual([['dead', ['tag reg:5000/shop/a:h1', 'tag reg:5000/shop/b:h1'], []]]);
    expect(calls).toEqual([]);
    expect(said).toEqual(['Cleaned up after run dead (its process 400 on laptop (started 7000) no longer exists): marked release dead interrupted; kept tag reg:5000/shop/a:h1, tag reg:5000/shop/b:h1 (its build had finished)']);
    expect(store.listEvents('dead').find((e) => e.name === 'leftovers.swept')?.payload).toMatchObject({ adopted: ['tag reg:5000/shop/a:h1', 'tag reg:5000/shop/b:h1'] });
  });

  it('as a Sweep: an engine that is not there is skipped quietly, another failure is said and never thrown', async () => {
    const store = createMemoryStore();
    const failing = (code: string): LeftoverEngine => ({
      listOwned: async () => Promise.reject(Object.assign(new Error('engine says no'), { code })),
      removeContainer: async () => false,
      removeDanglingImage: async () => false,
      imageIdOf: async () => null,
    });
    const said: string[] = [];
    await createSweep({ engine: failing('DOCKER_UNAVAILABLE'), store, probe })((m) => said.push(m));
    expect(said).toEqual([]);
    await createSweep({ engine: failing('EIO'), store, probe })((m) => said.push(m));
    expect(said).toEqual(['Could not check for what dead runs left behind: engine says no']);
  });
});
