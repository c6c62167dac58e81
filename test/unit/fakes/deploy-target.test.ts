// The in-memory deploy target (test/fakes/deploy-target.ts) under the same contract as the real
// targets (test/port-contracts/deploy-target.ts; the real ones run it in test/integration/port-contracts),
// in both flavours, plus its scripting.
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../shared/errors.js';
import type { DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { FakeDeployTarget } from '../../fakes/deploy-target.js';
import { deployTargetContract, type Version } from '../../port-contracts/deploy-target.js';

function unit(service: string, version: Version): DeployUnit {
  return {
    service,
    image: version === 'broken' ? `shop/${service}:broken` : `shop/${service}:${version}`,
    releaseId: `rel-${version}`,
    commit: `commit-${version}`,
    manifestsDir: null,
    port: 8080,
    health: '/healthz',
    env: { GREETING: 'hello', API_TOKEN: 'tok-123456' },
  };
}

for (const flavour of ['kubernetes', 'docker'] as const) {
  describe(`the fake target, ${flavour} flavour`, () => {
    let fake: FakeDeployTarget;
    deployTargetContract({
      flavour,
      target: () => (fake = new FakeDeployTarget({ kind: flavour, environment: 'staging' })),
      unit,
      breakRollouts: (service) => {
        fake.failRollout(service);
      },
      services: { main: 'orders-api', failing: 'storefront', absent: 'catalog-api' },
      deadlineMs: 1_000,
    });
  });
}

describe('the fake target, scripted', () => {
  it('fails the next call of a method for a service, once, and records every call', async () => {
    const fake = new FakeDeployTarget({ kind: 'docker' });
    await fake.apply([unit('orders-api', 'v1')]);
    fake.failOn('status', 'orders-api', new ConvoyError('DOCKER_UNAVAILABLE', 'engine gone'));
    await expect(fake.status(['catalog-api'])).resolves.toHaveLength(1);
    await expect(fake.status(['orders-api'])).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
    await expect(fake.status(['orders-api'])).resolves.toMatchObject([{ state: 'ready' }]);
    expect(fake.calls.map((c) => [c.method, c.services])).toEqual([
      ['apply', ['orders-api']],
      ['status', ['catalog-api']],
      ['status', ['orders-api']],
      ['status', ['orders-api']],
    ]);
  });

  it('masks secret values in a docker-flavoured diff and marks a changed one', async () => {
    const fake = new FakeDeployTarget({ kind: 'docker' });
    await fake.apply([unit('orders-api', 'v1')]);
    const next = { ...unit('orders-api', 'v1'), env: { GREETING: 'hello', API_TOKEN: 'other-token' } };
    const diff = await fake.diff([next]);
    expect(diff.text).not.toMatch(/tok-123456|other-token/);
    expect(diff.text).toContain('-  API_TOKEN=***\n+  API_TOKEN=*** (changed)');
  });

  it('renumbers a re-applied template in the kubernetes flavour, and keeps the newest five retired in docker', async () => {
    const kube = new FakeDeployTarget({ kind: 'kubernetes' });
    await kube.apply([unit('orders-api', 'v1')]);
    await kube.apply([unit('orders-api', 'v2')]);
    await kube.apply([unit('orders-api', 'v1')]);
    expect((await kube.revisions('orders-api')).map((r) => [r.revision, r.releaseId])).toEqual([
      ['3', 'rel-v1'],
      ['2', 'rel-v2'],
    ]);

    const docker = new FakeDeployTarget({ kind: 'docker' });
    for (let i = 1; i <= 8; i++) await docker.apply([{ ...unit('orders-api', 'v1'), image: `shop/orders-api:${i}` }]);
    expect((await docker.revisions('orders-api')).map((r) => r.revision)).toEqual(['8', '7', '6', '5', '4', '3']);
  });
});
