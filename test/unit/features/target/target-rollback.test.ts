// targetRollback as a run of kind `rollback`, over the in-memory store and a fake target: the run, its
// stage, one journal step and its events are recorded, the lease is held during the change and given
// back after; a lease held by another live process refuses the rollback before anything is recorded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfigAdapter } from '../../../../electron/adapters/config/config-adapter.js';
import { createLeaseKeeper } from '../../../../electron/core/lease.js';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import { targetRollback } from '../../../../electron/features/target/target-ops.js';
import { ConvoyError } from '../../../../shared/errors.js';
import { createMemoryStore } from '../../../fakes/store.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-rollback-'));
  fs.writeFileSync(path.join(dir, 'nx.json'), '{}');
  fs.writeFileSync(path.join(dir, 'convoy.yaml'), 'environments:\n  - name: local\n    target: { kind: docker }\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function setup(rollback: DeployTargetPort['rollback']) {
  const store = createMemoryStore();
  const self = { pid: 100, host: 'box', isAlive: (pid: number) => pid === 100 || pid === 200 };
  const leases = createLeaseKeeper({ store, self });
  const seen: Array<string | undefined> = [];
  const target = {
    kind: 'docker',
    environment: 'local',
    rollback: async (service: string, to?: string, options?: { runId?: string }) => {
      seen.push(store.getLease('local')?.runId, options?.runId);
      return rollback(service, to, options);
    },
  } as unknown as DeployTargetPort;
  let n = 0;
  const deps = { workspace: {} as never, store, config: createConfigAdapter(), leases, newId: () => `rb-${++n}`, makeTarget: () => target };
  return { store, deps, seen };
}

describe('targetRollback', () => {
  it('records a rollback run with a stage, one journal step and its events, under the lease', async () => {
    const { store, deps, seen } = setup(async (service) => ({ service, from: '3', to: '2', current: '4' }));
    const result = await targetRollback({ dir, environment: 'local', service: 'api' }, deps);
    expect(result).toEqual({ environment: 'local', service: 'api', from: '3', to: '2', current: '4' });
    expect(seen).toEqual(['rb-1', 'rb-1']);
    expect(store.getLease('local')).toBeNull();
    expect(store.listRuns({ limit: 5 })).toMatchObject([{ id: 'rb-1', kind: 'rollback', environment: 'local', status: 'succeeded', summary: 'roll back local/api to the previous revision' }]);
    expect(store.listStages('rb-1')).toMatchObject([{ name: 'rollback', status: 'succeeded' }]);
    expect(store.listSteps('rb-1')).toMatchObject([{ kind: 'target.rollback', target: 'local/api', ok: true, result: { from: '3', to: '2', current: '4' } }]);
    expect(store.listEvents('rb-1').map((e) => e.name)).toEqual(['target.rollback.started', 'target.rollback.finished']);
  });

  it('records a refused rollback as a failed run with the error, and rethrows it', async () => {
    const { store, deps } = setup(async () => Promise.reject(new ConvoyError('ROLLBACK_REFUSED', 'local/api: no revision before 1')));
    await expect(targetRollback({ dir, environment: 'local', service: 'api' }, deps)).rejects.toMatchObject({ code: 'ROLLBACK_REFUSED' });
    expect(store.getRun('rb-1')).toMatchObject({ status: 'failed' });
    expect(store.listSteps('rb-1')).toMatchObject([{ ok: false, result: { error: { code: 'ROLLBACK_REFUSED' } } }]);
    expect(store.listEvents('rb-1')[1]).toMatchObject({ name: 'target.rollback.finished', payload: { ok: false, error: { code: 'ROLLBACK_REFUSED' } } });
    expect(store.getLease('local')).toBeNull();
  });

  it('is refused with ENVIRONMENT_BUSY while another live process holds the environment, recording nothing', async () => {
    const { store, deps, seen } = setup(async (service) => ({ service, from: '3', to: '2', current: '4' }));
    store.acquireLease({ environment: 'local', runId: 'release-9', pid: 200, host: 'box' }, () => false);
    await expect(targetRollback({ dir, environment: 'local', service: 'api' }, deps)).rejects.toMatchObject({
      code: 'ENVIRONMENT_BUSY',
      message: expect.stringContaining('run release-9 is changing it (process 200 on box'),
    });
    expect(seen).toEqual([]);
    expect(store.listRuns({ limit: 5 })).toEqual([]);
    expect(store.getLease('local')).toMatchObject({ runId: 'release-9' });
  });
});
