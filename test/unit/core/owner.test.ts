// The owner rule (electron/core/owner.ts): a run is dead only when its process on this host is gone
// (pid missing, or the pid now belongs to a process that started at another time); a live owner, this
// process and another host's process are never touched; dead runs become interrupted with an event,
// and the leases their processes held are freed. Over the in-memory store and a scripted probe.
import { describe, expect, it } from 'vitest';
import { findDeadRuns, interruptDeadRuns, ownerGone, type ProcessProbe } from '../../../electron/core/owner.js';
import { MemoryStore } from '../../fakes/store.js';

const self = { pid: 100, startedAt: 'boot/1', host: 'laptop' };
/** Processes alive on "laptop": pid → start time. */
function probe(alive: Record<number, string>): ProcessProbe {
  return { self, isAlive: (pid, startedAt) => pid in alive && (startedAt === null || alive[pid] === startedAt) };
}

describe('ownerGone', () => {
  it('judges by pid, start time and host, never by age', () => {
    const p = probe({ 100: 'boot/1', 200: 'boot/5' });
    expect(ownerGone({ pid: 200, startedAt: 'boot/5', host: 'laptop' }, p)).toBeNull();
    expect(ownerGone(self, p)).toBeNull();
    expect(ownerGone({ pid: 300, startedAt: 'boot/7', host: 'laptop' }, p)).toMatch(/process 300 on laptop .*no longer exists/);
    // pid 200 is alive, but started at another time: a later program reusing the pid.
    expect(ownerGone({ pid: 200, startedAt: 'boot/2', host: 'laptop' }, p)).toMatch(/process 200/);
    expect(ownerGone({ pid: 300, startedAt: null, host: 'laptop' }, p)).toMatch(/no longer exists/);
    expect(ownerGone({ pid: 300, startedAt: 'x', host: 'build-server' }, p)).toBeNull();
    expect(ownerGone(undefined, p)).toMatch(/older Convoy/);
  });
});

describe('interruptDeadRuns', () => {
  it('marks the dead runs interrupted, frees their leases, and leaves live ones alone', () => {
    const store = new MemoryStore();
    const live = { pid: 200, startedAt: 'boot/5', host: 'laptop' };
    const dead = { pid: 300, startedAt: 'boot/7', host: 'laptop' };
    store.createRun({ id: 'live', kind: 'release', workspace: '/w', environment: 'staging', base: null, head: null, status: 'running', owner: live });
    store.createRun({ id: 'dead', kind: 'release', workspace: '/w', environment: 'prod', base: null, head: null, status: 'running', owner: dead });
    store.createRun({ id: 'dead-build', kind: 'build', workspace: '/w', base: null, head: null, status: 'running', owner: dead });
    store.createRun({ id: 'done', kind: 'release', workspace: '/w', base: null, head: null, status: 'running', owner: dead });
    store.finishRun('done', 'succeeded');
    store.acquireLease({ environment: 'staging', runId: 'live', pid: 200, host: 'laptop', processStartedAt: 'boot/5' }, () => false);
    store.acquireLease({ environment: 'prod', runId: 'dead', pid: 300, host: 'laptop', processStartedAt: 'boot/7' }, () => false);
    store.acquireLease({ environment: 'local', runId: 'pid300-change-1', pid: 300, host: 'laptop', processStartedAt: 'boot/7' }, () => false);
    const p = probe({ 100: 'boot/1', 200: 'boot/5' });

    expect(findDeadRuns(store, p).map((d) => d.run.id)).toEqual(['dead', 'dead-build']);
    const found = interruptDeadRuns(store, p);
    expect(found.map((f) => [f.run.id, f.freedLeases])).toEqual([
      ['dead', ['prod']],
      ['dead-build', []],
    ]);
    expect(store.getRun('dead')!.status).toBe('interrupted');
    expect(store.getRun('dead')!.finishedAt).not.toBeNull();
    expect(store.getRun('live')!.status).toBe('running');
    expect(store.getRun('done')!.status).toBe('succeeded');
    expect(store.listLeases().map((l) => l.environment)).toEqual(['staging']);
    const event = store.listEvents('dead').find((e) => e.name === 'run.interrupted');
    expect(event?.payload).toMatchObject({ owner: dead, by: self, reason: expect.stringContaining('process 300') });
    // A second pass finds nothing more to do.
    expect(interruptDeadRuns(store, p)).toEqual([]);
  });

  it('a run resumed by another process is owned by it and no longer interruptible while it lives', () => {
    const store = new MemoryStore();
    store.createRun({ id: 'r', kind: 'release', workspace: '/w', base: null, head: null, status: 'running', owner: { pid: 300, startedAt: 'boot/7', host: 'laptop' } });
    const p = probe({ 100: 'boot/1', 200: 'boot/5' });
    interruptDeadRuns(store, p);
    expect(store.resumeRun('r', { pid: 200, startedAt: 'boot/5', host: 'laptop' })).toBe(true);
    expect(store.resumeRun('r', self)).toBe(false);
    expect(interruptDeadRuns(store, p)).toEqual([]);
    expect(store.getRun('r')).toMatchObject({ status: 'running', finishedAt: null, owner: { pid: 200 } });
  });
});
