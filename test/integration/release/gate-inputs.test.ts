// The gates' inputs from real files and a real engine: the example's manifests rendered as the
// Kubernetes target renders them (built image substituted) pass every gate, and the engine's image IDs.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { runGates } from '../../../electron/core/release/gates.js';
import { gateObjectsFor, resolveImageIds } from '../../../electron/adapters/gate-inputs/gate-inputs.js';
import { EnvironmentConfig, GatesConfig } from '../../../shared/config.js';
import { REPO_ROOT } from '../affected/fixtures.js';
import { docker, requireDocker, skipDocker } from '../../support/docker-engine.js';

const SHOP = path.join(REPO_ROOT, 'examples', 'shop');
const unit = (service: string): DeployUnit => ({
  service,
  image: `shop/${service}:0123456789abcdef`,
  releaseId: 'r1',
  commit: null,
  manifestsDir: path.join(SHOP, 'services', service, 'deploy'),
  port: 8080,
  health: '/healthz',
  env: {},
});
const UNITS = ['catalog-api', 'orders-api', 'storefront'].map(unit);
const BUILT = UNITS.map((u) => ({ service: u.service, image: u.image, imageId: `sha256:${u.service}`, tested: true }));
const RESOLVED = Object.fromEntries(BUILT.map((b) => [b.image, b.imageId]));

describe('gate inputs', () => {
  it('renders the example manifests for a Kubernetes environment, and they pass every gate', async () => {
    const env = EnvironmentConfig.parse({ name: 'prod', target: { kind: 'kubernetes', context: 'x', namespace: 'shop' } });
    const objects = await gateObjectsFor(env, UNITS);
    expect(objects.map((o) => [o.object, o.containers.map((c) => c.image)])).toEqual(UNITS.map((u) => [`Deployment shop/${u.service}`, [u.image]]));
    expect(runGates({ objects, built: BUILT, resolvedIds: RESOLVED }, env.gates)).toMatchObject({ ok: true });
    // An image the release did not build, even with a pinned tag, is stopped.
    const other = await gateObjectsFor(env, [{ ...UNITS[0]!, image: 'elsewhere/catalog:1.0' }]);
    const report = runGates({ objects: other, built: BUILT, resolvedIds: RESOLVED }, GatesConfig.parse({}));
    expect(report.ok).toBe(false);
  });

  it('makes one container object per unit for a Docker environment', async () => {
    const env = EnvironmentConfig.parse({ name: 'local', target: { kind: 'docker' } });
    const objects = await gateObjectsFor(env, UNITS);
    expect(objects.map((o) => o.object)).toEqual(UNITS.map((u) => `container convoy-local-${u.service}`));
  });
});

describe.skipIf(skipDocker)('resolveImageIds on a real engine', () => {
  it('answers the image ID of a present reference and null for a missing one', async () => {
    requireDocker();
    const expected = (await docker.getImage('busybox:1.36.1').inspect()).Id;
    const ids = await resolveImageIds(['busybox:1.36.1', 'convoy-test/never-built:0000000000000000'], docker);
    expect(ids).toEqual({ 'busybox:1.36.1': expected, 'convoy-test/never-built:0000000000000000': null });
  });
});
