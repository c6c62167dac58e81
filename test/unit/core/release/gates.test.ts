// Release gates: for each rule a violating and a clean object, messages that name the object, the
// container and the rule, switches and allowances from convoy.yaml, and the Docker target's units.
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { gateObjectFromDockerUnit, gateObjectFromKube } from '../../../../electron/core/release/gate-objects.js';
import { type BuiltImage, type GateObject, checkHostAccess, checkImmutableImages, checkResources, checkTestedImages, imageTagOf, runGates } from '../../../../electron/core/release/gates.js';
import { GatesConfig } from '../../../../shared/config.js';

const BUILT: BuiltImage[] = [{ service: 'orders-api', image: 'shop/orders-api:3f9c0aa1b2c3d4e5', imageId: 'sha256:111', tested: true }];
const RESOURCES = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '250m', memory: '64Mi' } };

function deployment(container: Record<string, unknown>, pod: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'orders-api', namespace: 'shop' },
    spec: { template: { spec: { containers: [{ name: 'orders-api', image: BUILT[0]!.image, resources: RESOURCES, ...container }], ...pod } } },
  };
}
const kube = (container: Record<string, unknown> = {}, pod: Record<string, unknown> = {}): GateObject => gateObjectFromKube('orders-api', deployment(container, pod))!;
const none = GatesConfig.parse({}).allow;

describe('immutableImages', () => {
  it('passes the image the release built, and one pinned by digest', () => {
    expect(checkImmutableImages([kube()], BUILT)).toEqual([]);
    expect(checkImmutableImages([kube({ image: 'busybox@sha256:' + 'a'.repeat(64) })], BUILT)).toEqual([]);
  });

  it('refuses :latest, no tag and an image the release did not build, naming object, container and rule', () => {
    const [latest] = checkImmutableImages([kube({ image: 'shop/orders-api:latest' })], BUILT);
    expect(latest).toMatchObject({ gate: 'immutableImages', service: 'orders-api', object: 'Deployment shop/orders-api', container: 'orders-api' });
    expect(latest!.message).toBe(
      'Deployment shop/orders-api, container orders-api: image shop/orders-api:latest uses the mutable tag :latest (gate immutableImages: deploy only images this release built, by their content tag)',
    );
    expect(checkImmutableImages([kube({ image: 'registry:5000/shop/orders-api' })], BUILT)[0]!.message).toContain('has no tag');
    expect(checkImmutableImages([kube({ image: 'shop/orders-api:v2' })], BUILT)[0]!.message).toContain('was not built by this release');
  });

  it('reads a registry port as part of the name, not as a tag', () => {
    expect(imageTagOf('registry:5000/shop/api')).toBeNull();
    expect(imageTagOf('registry:5000/shop/api:1.2')).toBe('1.2');
  });
});

describe('resources', () => {
  it('passes a container with cpu and memory requests and limits', () => {
    expect(checkResources([kube()])).toEqual([]);
  });

  it('names every missing setting, in init containers too', () => {
    const object = kube({ resources: { requests: { cpu: '10m' } } }, { initContainers: [{ name: 'migrate', image: BUILT[0]!.image }] });
    expect(checkResources([object]).map((v) => v.message)).toEqual([
      'Deployment shop/orders-api, container migrate: resources requests.cpu, requests.memory, limits.cpu, limits.memory not set (gate resources: every container sets cpu and memory requests and limits)',
      'Deployment shop/orders-api, container orders-api: resources requests.memory, limits.cpu, limits.memory not set (gate resources: every container sets cpu and memory requests and limits)',
    ]);
  });
});

describe('hostAccess', () => {
  it('passes a plain pod', () => {
    expect(checkHostAccess([kube()], none)).toEqual([]);
  });

  it('refuses privileged, hostPath and hostNetwork unless the service is allowed each', () => {
    const object = kube({ securityContext: { privileged: true } }, { hostNetwork: true, volumes: [{ name: 'docker-sock', hostPath: { path: '/var/run/docker.sock' } }, { name: 'tmp', emptyDir: {} }] });
    expect(checkHostAccess([object], none).map((v) => [v.container, v.message])).toEqual([
      ['orders-api', expect.stringMatching(/^Deployment shop\/orders-api, container orders-api: runs privileged; list orders-api under gates\.allow\.privileged/)],
      [null, expect.stringMatching(/^Deployment shop\/orders-api: mounts hostPath volume\(s\) docker-sock;/)],
      [null, expect.stringMatching(/^Deployment shop\/orders-api: uses the host network;.*\(gate hostAccess: /)],
    ]);
    const allowed = GatesConfig.parse({ allow: { privileged: ['orders-api'], hostPath: ['orders-api'] } }).allow;
    expect(checkHostAccess([object], allowed).map((v) => v.message)).toEqual([expect.stringContaining('host network')]);
  });
});

describe('testedImages', () => {
  it('passes when the reference still resolves to the built, tested image ID', () => {
    expect(checkTestedImages([kube()], BUILT, { [BUILT[0]!.image]: 'sha256:111' })).toEqual([]);
  });

  it('refuses a tag that moved, a missing image and an untested build', () => {
    expect(checkTestedImages([kube()], BUILT, { [BUILT[0]!.image]: 'sha256:999' })[0]!.message).toBe(
      'Deployment shop/orders-api, container orders-api: image shop/orders-api:3f9c0aa1b2c3d4e5 is now sha256:999, not the built and tested sha256:111 (gate testedImages: the image deployed is the one built and tested in this release, by image ID)',
    );
    expect(checkTestedImages([kube()], BUILT, {})[0]!.message).toContain('cannot be found');
    expect(checkTestedImages([kube()], [{ ...BUILT[0]!, tested: false }], { [BUILT[0]!.image]: 'sha256:111' })[0]!.message).toContain('did not pass its tests');
  });
});

describe('runGates', () => {
  const bad = kube({ image: 'shop/orders-api:latest', resources: {}, securityContext: { privileged: true } });

  it('runs every enabled gate and fails on any violation', () => {
    const report = runGates({ objects: [bad], built: BUILT, resolvedIds: {} }, GatesConfig.parse({}));
    expect(report.ok).toBe(false);
    expect(report.results.map((r) => [r.gate, r.enabled, r.violations.length])).toEqual([
      ['immutableImages', true, 1],
      ['resources', true, 1],
      ['hostAccess', true, 1],
      ['testedImages', true, 0],
    ]);
  });

  it('reports a switched-off gate as disabled with no violations', () => {
    const report = runGates({ objects: [bad], built: BUILT, resolvedIds: {} }, GatesConfig.parse({ immutableImages: false, resources: false, hostAccess: false }));
    expect(report).toEqual({ ok: true, results: expect.arrayContaining([{ gate: 'resources', enabled: false, violations: [] }]) });
  });

  it('passes the example manifests once Convoy substituted the built image', () => {
    const file = path.resolve(import.meta.dirname, '../../../../examples/shop/services/orders-api/deploy/deployment.yaml');
    const objects = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
    const rendered = objects.map((o) => gateObjectFromKube('orders-api', JSON.parse(JSON.stringify(o).replace('shop/orders-api:latest', BUILT[0]!.image)))!);
    expect(runGates({ objects: rendered, built: BUILT, resolvedIds: { [BUILT[0]!.image]: 'sha256:111' } }, GatesConfig.parse({}))).toMatchObject({ ok: true });
    // As written, the placeholder tag is what the immutableImages gate exists to stop.
    const raw = objects.map((o) => gateObjectFromKube('orders-api', o)!);
    expect(checkImmutableImages(raw, BUILT)).toHaveLength(1);
  });

  it('checks a Docker target unit on its image only', () => {
    const unit = { service: 'orders-api', image: BUILT[0]!.image, releaseId: 'r1', commit: null, manifestsDir: null, port: 8080, health: '/healthz', env: {} };
    const object = gateObjectFromDockerUnit('local', unit);
    expect(object.object).toBe('container convoy-local-orders-api');
    expect(runGates({ objects: [object], built: BUILT, resolvedIds: { [unit.image]: 'sha256:111' } }, GatesConfig.parse({})).ok).toBe(true);
    const moved = runGates({ objects: [object], built: BUILT, resolvedIds: { [unit.image]: 'sha256:222' } }, GatesConfig.parse({}));
    expect(moved.results.find((r) => r.gate === 'testedImages')!.violations[0]!.message).toMatch(/^container convoy-local-orders-api: image .* is now sha256:222/);
    const latest = gateObjectFromDockerUnit('local', { ...unit, image: 'shop/orders-api:latest' });
    expect(checkImmutableImages([latest], BUILT)).toHaveLength(1);
  });

  it('ignores objects that run no containers', () => {
    expect(gateObjectFromKube('orders-api', { kind: 'Service', metadata: { name: 'orders-api' }, spec: { ports: [] } })).toBeNull();
    expect(gateObjectFromKube('job', { kind: 'CronJob', metadata: { name: 'j' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } } } })!.containers).toHaveLength(1);
  });
});
