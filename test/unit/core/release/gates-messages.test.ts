// The gates' exact refusals (gates.ts), for the cases the mutation run (docs/mutation.md) found
// unpinned: an image with neither tag nor slash, resources written but empty, the wording of each
// host-access and tested-image refusal, and a registry image that is not in its registry.
import { describe, expect, it } from 'vitest';
import { gateObjectFromKube } from '../../../../electron/core/release/gate-objects.js';
import { type BuiltImage, type GateObject, checkHostAccess, checkImmutableImages, checkResources, checkTestedImages, imageTagOf } from '../../../../electron/core/release/gates.js';
import { GatesConfig } from '../../../../shared/config.js';

const IMAGE = 'shop/orders-api:3f9c';
const BUILT: BuiltImage[] = [{ service: 'orders-api', image: IMAGE, imageId: 'sha256:111', tested: true }];
const RESOURCES = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '250m', memory: '64Mi' } };

function kube(container: Record<string, unknown> = {}, pod: Record<string, unknown> = {}): GateObject {
  const object = { kind: 'Deployment', metadata: { name: 'orders-api' }, spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE, resources: RESOURCES, ...container }], ...pod } } } };
  return gateObjectFromKube('orders-api', object)!;
}
const messages = (violations: { message: string }[]) => violations.map((v) => v.message);
const none = GatesConfig.parse({}).allow;

describe('immutableImages wording', () => {
  it('an image with neither a tag nor a slash has no tag', () => {
    expect(imageTagOf('busybox')).toBeNull();
    expect(messages(checkImmutableImages([kube({ image: 'busybox' })], BUILT))).toEqual([
      'Deployment orders-api, container app: image busybox has no tag, so it means whatever :latest is at pull time (gate immutableImages: deploy only images this release built, by their content tag)',
    ]);
    expect(messages(checkImmutableImages([kube({ image: 'shop/other:v2' })], BUILT))).toEqual([
      'Deployment orders-api, container app: image shop/other:v2 was not built by this release (pin it by digest or let Convoy build it) (gate immutableImages: deploy only images this release built, by their content tag)',
    ]);
  });
});

describe('resources, set means a value', () => {
  it('counts null and empty requests or limits as not set', () => {
    const resources = { requests: { cpu: null, memory: '' }, limits: { cpu: '250m' } };
    expect(checkResources([kube({ resources })]).map((v) => v.message)).toEqual([
      expect.stringContaining('resources requests.cpu, requests.memory, limits.memory not set'),
    ]);
  });
});

describe('hostAccess wording', () => {
  it('names the privileged container, the hostPath volumes and what to list where', () => {
    const object = kube({ securityContext: { privileged: true } }, { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }, { name: 'data', hostPath: { path: '/data' } }] });
    const found = messages(checkHostAccess([object], none));
    expect(found[0]).toContain('container app: runs privileged; list orders-api under gates.allow.privileged if it must');
    expect(found[1]).toContain('mounts hostPath volume(s) logs, data; list orders-api under gates.allow.hostPath if it must');
    expect(found).toHaveLength(2);
    expect(checkHostAccess([object], none).map((v) => v.gate)).toEqual(['hostAccess', 'hostAccess']);
  });
});

describe('testedImages wording', () => {
  const pushed: BuiltImage[] = [{ service: 'orders-api', image: 'registry.example.com/shop/orders-api@sha256:abc', source: IMAGE, imageId: 'sha256:111', tested: true }];

  it('a pushed image the registry does not have is not the digest pushed from the build', () => {
    const object = kube({ image: pushed[0]!.image });
    expect(checkTestedImages([object], pushed, {}).map((v) => v.gate)).toEqual(['testedImages']);
    expect(messages(checkTestedImages([object], pushed, {}))).toEqual([
      expect.stringContaining('image registry.example.com/shop/orders-api@sha256:abc is not in its registry, so it is not the digest pushed from the built image sha256:111'),
    ]);
  });

  it('says a local image cannot be found, or did not pass its tests', () => {
    expect(messages(checkTestedImages([kube()], BUILT, {}))).toEqual([expect.stringContaining('image shop/orders-api:3f9c cannot be found to compare with the built image sha256:111')]);
    expect(checkTestedImages([kube()], BUILT, {}).map((v) => v.gate)).toEqual(['testedImages']);
    const untested = [{ ...BUILT[0]!, tested: false }];
    expect(checkTestedImages([kube()], untested, { [IMAGE]: 'sha256:111' }).map((v) => v.gate)).toEqual(['testedImages']);
    expect(messages(checkTestedImages([kube()], untested, { [IMAGE]: 'sha256:111' }))).toEqual([
      expect.stringContaining('image shop/orders-api:3f9c (sha256:111) did not pass its tests in this release'),
    ]);
  });
});
