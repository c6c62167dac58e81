import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentConfig } from '../../../shared/config.js';
import { expandPath } from '../../../electron/adapters/config/paths.js';
import { createTargetFor } from '../../../electron/adapters/targets/target-factory.js';

describe('createTargetFor', () => {
  it('makes a Docker target or a Kubernetes target per environment', () => {
    const local = createTargetFor(EnvironmentConfig.parse({ name: 'local', target: { kind: 'docker' } }), '/ws');
    expect([local.kind, local.environment]).toEqual(['docker', 'local']);
    const staging = createTargetFor(EnvironmentConfig.parse({ name: 'staging', target: { kind: 'kubernetes', context: 'c', namespace: 'shop' } }), '/ws');
    expect([staging.kind, staging.environment]).toEqual(['kubernetes', 'staging']);
  });

  it('reads ~ as the home folder and relative paths from the workspace root', () => {
    expect(expandPath('~/.kube/prod', '/ws')).toBe(path.join(os.homedir(), '.kube', 'prod'));
    expect(expandPath('ops/kubeconfig', '/ws')).toBe(path.resolve('/ws', 'ops/kubeconfig'));
    expect(expandPath('/abs/kc', '/ws')).toBe('/abs/kc');
  });
});
