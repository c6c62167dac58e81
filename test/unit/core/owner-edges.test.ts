// Edges of the owner rule (electron/core/owner.ts) and of the labels naming a run's owner
// (electron/core/run-owner.ts), written for the survivors of the mutation run (docs/mutation.md).
import { describe, expect, it } from 'vitest';
import { interruptDeadRuns, ownerGone, type ProcessProbe } from '../../../electron/core/owner.js';
import { OWNER_LABELS, ownerFromLabels, runLabels } from '../../../electron/core/run-owner.js';
import { MemoryStore } from '../../fakes/store.js';

const self = { pid: 100, startedAt: 'boot/1', host: 'laptop' };
/** A probe that sees only the processes in `alive` (pid → start time), not even this one. */
const probe = (alive: Record<number, string> = {}): ProcessProbe => ({ self, isAlive: (pid, startedAt) => alive[pid] !== undefined && alive[pid] === startedAt });

describe('ownerGone edges', () => {
  it('never judges this very process gone, even when the probe cannot see it', () => {
    expect(ownerGone(self, probe())).toBeNull();
  });

  it('a run of this pid with another start time, or of this start time with another pid, is another process', () => {
    expect(ownerGone({ ...self, startedAt: 'boot/0' }, probe())).toBe('its process 100 on laptop (started boot/0) no longer exists');
    expect(ownerGone({ ...self, pid: 101 }, probe())).toBe('its process 101 on laptop (started boot/1) no longer exists');
    expect(ownerGone({ ...self, pid: 101, startedAt: null }, probe())).toBe('its process 101 on laptop no longer exists');
  });
});

describe('interruptDeadRuns edges', () => {
  it('fails only the stages that were still running, and reports the run interrupted', () => {
    const store = new MemoryStore();
    const dead = { pid: 300, startedAt: 'boot/7', host: 'laptop' };
    store.createRun({ id: 'r', kind: 'release', workspace: '/w', environment: 'prod', base: null, head: null, status: 'running', owner: dead });
    const done = store.startStage({ runId: 'r', name: 'build' });
    store.finishStage(done.id, 'succeeded');
    const open = store.startStage({ runId: 'r', name: 'deploy' });
    const found = interruptDeadRuns(store, probe({ 100: 'boot/1' }));
    expect(found.map((f) => f.run.status)).toEqual(['interrupted']);
    expect(store.listStages('r').map((s) => [s.id, s.status])).toEqual([
      [done.id, 'succeeded'],
      [open.id, 'failed'],
    ]);
  });

  it("frees a lease by its holder's process alone (start time included), only on this host", () => {
    const store = new MemoryStore();
    const lease = (environment: string, runId: string, pid: number, host: string, processStartedAt: string | null) =>
      store.acquireLease({ environment, runId, pid, host, processStartedAt }, () => false);
    lease('alive', 'a', 200, 'laptop', 'boot/5'); // alive only when asked with its start time
    lease('reused', 'b', 200, 'laptop', 'boot/2'); // the pid now belongs to a later process
    lease('gone', 'c', 300, 'laptop', 'boot/7'); // its run finished, but the process still holds the lease
    lease('elsewhere', 'd', 400, 'build-server', 'boot/9'); // another machine: cannot be checked from here
    interruptDeadRuns(store, probe({ 100: 'boot/1', 200: 'boot/5' }));
    expect(store.listLeases().map((l) => l.environment).sort()).toEqual(['alive', 'elsewhere']);
  });
});

describe('interruptDeadRuns: the lease of a dead run', () => {
  it('is freed with its run even when the pid it records looks alive (a run from before owners were recorded)', () => {
    const store = new MemoryStore();
    store.createRun({ id: 'old', kind: 'release', workspace: '/w', environment: 'prod', base: null, head: null, status: 'running' });
    store.acquireLease({ environment: 'prod', runId: 'old', pid: 200, host: 'laptop', processStartedAt: 'boot/5' }, () => false);
    const found = interruptDeadRuns(store, probe({ 100: 'boot/1', 200: 'boot/5' }));
    expect(found.map((f) => [f.run.id, f.freedLeases])).toEqual([['old', ['prod']]]);
    expect(store.listLeases()).toEqual([]);
  });
});

describe('run labels', () => {
  const owner = { pid: 42, host: 'laptop', startedAt: 'boot/3' };

  it('name the run and its owner, with the scope and start time only when known', () => {
    expect(runLabels('run-1', owner, 'scope-a')).toEqual({
      [OWNER_LABELS.scope]: 'scope-a',
      [OWNER_LABELS.run]: 'run-1',
      [OWNER_LABELS.pid]: '42',
      [OWNER_LABELS.host]: 'laptop',
      [OWNER_LABELS.started]: 'boot/3',
    });
    expect(runLabels('run-1', { ...owner, startedAt: null })).toEqual({ [OWNER_LABELS.run]: 'run-1', [OWNER_LABELS.pid]: '42', [OWNER_LABELS.host]: 'laptop' });
  });

  it('are read back, and refused when the run, host or a positive whole pid is missing', () => {
    const labels = runLabels('run-1', owner, 'scope-a');
    expect(ownerFromLabels(labels)).toEqual({ runId: 'run-1', owner, scope: 'scope-a' });
    expect(ownerFromLabels(runLabels('run-1', { ...owner, startedAt: null }))).toEqual({ runId: 'run-1', owner: { ...owner, startedAt: null }, scope: null });
    const without = (key: string) => Object.fromEntries(Object.entries(labels).filter(([k]) => k !== key));
    expect(ownerFromLabels(without(OWNER_LABELS.run))).toBeNull();
    expect(ownerFromLabels(without(OWNER_LABELS.host))).toBeNull();
    for (const pid of ['0', '-1', '1.5', 'x', '']) expect(ownerFromLabels({ ...labels, [OWNER_LABELS.pid]: pid }), pid).toBeNull();
    expect(ownerFromLabels({ ...labels, [OWNER_LABELS.pid]: '1' })?.owner.pid).toBe(1);
    expect(ownerFromLabels(null)).toBeNull();
    expect(ownerFromLabels(undefined)).toBeNull();
  });
});
