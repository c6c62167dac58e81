// target.* over ports only: convoy.yaml, the target and the store are stand-ins, so the workflow is
// tested without git, SQLite, Docker or a cluster (electron/adapters are tested on their own).
import { describe, expect, it } from 'vitest';
import { WorkspaceConfig } from '../../../../shared/config.js';
import { ConvoyError } from '../../../../shared/errors.js';
import type { ConfigPort } from '../../../../electron/core/ports/config.js';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import { type TargetOpsDeps, targetRollback } from '../../../../electron/features/target/target-ops.js';

function setup(rollback: DeployTargetPort['rollback']) {
  const events: { name: string; payload: Record<string, unknown> }[] = [];
  let closed = 0;
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
        throw new Error('a rollback reads only convoy.yaml');
      },
    },
    store: {
      appendEvent: (_runId, name, payload) => {
        events.push({ name, payload: payload as Record<string, unknown> });
        return { id: events.length, releaseId: null, name, payload, at: '' };
      },
    },
    config,
    makeTarget: (environment) =>
      ({
        kind: 'docker',
        environment: environment.name,
        rollback,
        close: async () => void closed++,
      }) as Partial<DeployTargetPort> as DeployTargetPort,
  };
  return { deps, events, closed: () => closed };
}

describe('targetRollback', () => {
  it('rolls the service back and records who-what-when before and after', async () => {
    const { deps, events, closed } = setup(async (service, to) => ({ service, from: '3', to: to ?? '2', current: '4' }));
    const result = await targetRollback({ dir: '/ws', environment: 'local', service: 'api' }, deps);
    expect(result).toEqual({ environment: 'local', service: 'api', from: '3', to: '2', current: '4' });
    expect(events.map((e) => e.name)).toEqual(['target.rollback.started', 'target.rollback.finished']);
    expect(events[1]!.payload).toMatchObject({ workspace: '/ws', environment: 'local', kind: 'docker', service: 'api', ok: true, from: '3', to: '2' });
    expect(closed()).toBe(1);
  });

  it('records a failed rollback with its typed error, closes the target and rethrows', async () => {
    const { deps, events, closed } = setup(async () => {
      throw new ConvoyError('ROLLBACK_REFUSED', 'api has no previous revision');
    });
    await expect(targetRollback({ dir: '/ws', environment: 'local', service: 'api' }, deps)).rejects.toThrow(/no previous revision/);
    expect(events[1]!.payload).toMatchObject({ ok: false, error: { code: 'ROLLBACK_REFUSED', message: 'api has no previous revision' } });
    expect(closed()).toBe(1);
  });

  it('refuses an environment convoy.yaml does not name, listing the ones it does, and records nothing', async () => {
    const { deps, events } = setup(async () => {
      throw new Error('not reached');
    });
    await expect(targetRollback({ dir: '/ws', environment: 'prod', service: 'api' }, deps)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'No environment "prod" in /ws/convoy.yaml; its environments are: local',
    });
    expect(events).toEqual([]);
  });
});
