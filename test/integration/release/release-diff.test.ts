// `release.diff` (diffRelease) on a copy of the bundled example: real Nx and convoy.yaml, the in-memory
// image builder and deploy target. It builds through the build stage, skips a service already on its
// image, diffs the rest in wave order, redacts a declared secret even when the target let it through,
// and applies nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfigAdapter } from '../../../electron/adapters/config/config-adapter.js';
import { createGit } from '../../../electron/adapters/git/git.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import { type ReleaseDiffDeps, diffRelease } from '../../../electron/features/release/release-diff.js';
import { FakeDeployTarget } from '../../fakes/deploy-target.js';
import { FakeImageBuilder } from '../../fakes/image-builder.js';
import { type TestWorkspace, removeWorkspaces } from '../affected/fixtures.js';
import { exampleWithPricingChange } from './example-copy.js';

const SECRET = 'tok-diff-secret-98765';

let ws: TestWorkspace;
beforeAll(() => {
  ws = exampleWithPricingChange();
});
afterAll(removeWorkspaces);

/** A target that leaks: its diff text carries the secret as is, as a careless adapter would. */
function leaky(target: FakeDeployTarget): DeployTargetPort {
  return {
    kind: target.kind,
    environment: target.environment,
    status: (services, options) => target.status(services, options),
    apply: (units, options) => target.apply(units, options),
    waitReady: (units, options) => target.waitReady(units, options),
    revisions: (service, options) => target.revisions(service, options),
    rollback: (service, to, options) => target.rollback(service, to, options),
    remove: (service, options) => target.remove(service, options),
    diff: async (units, options) => {
      const diff = await target.diff(units, options);
      return { ...diff, text: `${diff.text}# registry token ${SECRET}\n` };
    },
  };
}

function setup() {
  const builder = new FakeImageBuilder();
  const target = new FakeDeployTarget({ environment: 'local' });
  const deps: ReleaseDiffDeps = {
    workspace: ws.port,
    builder,
    config: createConfigAdapter(),
    git: createGit(),
    makeTarget: () => leaky(target),
    env: { SHOP_REGISTRY_TOKEN: SECRET },
    newId: () => 'test',
  };
  return { builder, target, deps };
}

describe('release.diff on the example', () => {
  it('builds, then diffs every affected service in wave order, redacted, applying nothing', async () => {
    const { builder, target, deps } = setup();
    const report = await diffRelease({ dir: ws.dir, environment: 'local', base: 'main', head: 'feature' }, deps);
    expect(builder.builds.map((b) => b.project).sort()).toEqual(['catalog-api', 'orders-api', 'storefront']);
    expect(builder.tests).toEqual([]);
    expect(report).toMatchObject({ environment: 'local', kind: 'docker', waves: [['catalog-api', 'orders-api'], ['storefront']], skipped: [] });
    expect(report.objects.map((o) => [o.service, o.change])).toEqual([
      ['catalog-api', 'add'],
      ['orders-api', 'add'],
      ['storefront', 'add'],
    ]);
    expect(report.text).toContain('# registry token [redacted]');
    expect(report.text).not.toContain(SECRET);
    expect(target.calls.map((c) => c.method)).toEqual(['status', 'diff']);
  });

  it('skips a service that already runs its image and diffs the rest', async () => {
    const { target, deps } = setup();
    const first = await diffRelease({ dir: ws.dir, environment: 'local', base: 'main', head: 'feature' }, deps);
    const catalog = first.images.find((i) => i.service === 'catalog-api')!.image;
    await target.apply([{ service: 'catalog-api', image: catalog, releaseId: 'earlier', commit: null, manifestsDir: null, port: 8080, health: '/healthz', env: {} }]);
    const report = await diffRelease({ dir: ws.dir, environment: 'local', base: 'main', head: 'feature' }, deps);
    expect(report.waves).toEqual([['orders-api'], ['storefront']]);
    expect(report.skipped).toEqual([{ service: 'catalog-api', image: catalog, reason: `${catalog} already runs in local and is ready` }]);
    expect(report.objects.map((o) => o.service)).toEqual(['orders-api', 'storefront']);
  });

  it('refuses an unknown environment before building anything', async () => {
    const { builder, deps } = setup();
    await expect(diffRelease({ dir: ws.dir, environment: 'qa' }, deps)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(builder.builds).toEqual([]);
  });
});
