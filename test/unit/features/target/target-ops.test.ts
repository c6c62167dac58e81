// target.* over ports only: convoy.yaml comes from a stand-in config port (no file is read), the store
// is the in-memory fake and the target a stand-in, so the workflow runs without git, SQLite, Docker or
// a cluster (electron/adapters are tested on their own).
import { describe, expect, it } from 'vitest';
import { WorkspaceConfig } from '../../../../shared/config.js';
import { createLeaseKeeper } from '../../../../electron/core/lease.js';
import type { ConfigPort } from '../../../../electron/core/ports/config.js';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import { type TargetOpsDeps, targetRollback, targetStatus } from '../../../../electron/features/target/target-ops.js';
import { createMemoryStore } from '../../../fakes/store.js';

function setup() {
  const store = createMemoryStore();
  const made: string[] = [];
  const config: ConfigPort = {
    workspaceRoot: (dir) => dir,
    workspaceConfig: () => ({
      config: WorkspaceConfig.parse({ environments: [{ name: 'local', target: { kind: 'docker' } }] }),
      file: '/ws/convoy.yaml',
    }),
    projectSetup: () => null,
    resolvePath: (file) => file,
    knownSecrets: () => [],
  };
  const deps: TargetOpsDeps = {
    workspace: {
      open: async () => {
        throw new Error('status of named services reads no project graph');
      },
    },
    store,
    config,
    leases: createLeaseKeeper({ store, self: { pid: 1, host: 'box', isAlive: () => true } }),
    newId: () => 'run-1',
    makeTarget: (environment) => {
      made.push(environment.name);
      return {
        kind: 'docker',
        environment: environment.name,
        status: async (services) => services.map((service) => ({ service, state: 'ready' as const, revision: '2', image: `shop/${service}:abc`, message: 'ready' })),
      } as Partial<DeployTargetPort> as DeployTargetPort;
    },
  };
  return { deps, store, made };
}

describe('target.* over ports', () => {
  it('answers status for named services from the target the factory makes for the environment', async () => {
    const { deps, made } = setup();
    const status = await targetStatus({ dir: '/ws', environment: 'local', services: ['api'] }, deps);
    expect(made).toEqual(['local']);
    expect(status).toMatchObject({ environment: 'local', kind: 'docker', services: [{ service: 'api', state: 'ready', revision: '2' }] });
  });

  it('refuses an environment convoy.yaml does not name, listing the ones it does, and records nothing', async () => {
    const { deps, store, made } = setup();
    await expect(targetRollback({ dir: '/ws', environment: 'prod', service: 'api' }, deps)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'No environment "prod" in /ws/convoy.yaml; its environments are: local',
    });
    expect(made).toEqual([]);
    expect(store.listRuns({ limit: 5 })).toEqual([]);
  });
});
