import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import {
  applyRank,
  imageRepository,
  inApplyOrder,
  loadUnitManifests,
  parseManifests,
  renderUnit,
  type KubeObject,
} from '../../../electron/adapters/kube/manifests.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ORDERS_DIR = path.join(ROOT, 'examples/shop/services/orders-api/deploy');

function unit(over: Partial<DeployUnit> = {}): DeployUnit {
  return {
    service: 'orders-api',
    image: 'shop/orders-api:3f9c1a',
    releaseId: 'rel-1',
    commit: 'abc123',
    manifestsDir: ORDERS_DIR,
    port: null,
    health: null,
    env: {},
    ...over,
  };
}

function deployment(name: string, containers: Array<{ name: string; image: string }>, init: Array<{ name: string; image: string }> = []): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { template: { metadata: { labels: { app: name } }, spec: { containers, initContainers: init } } },
  };
}

describe('parseManifests', () => {
  it('reads multi-document files, skips empty documents and expands kind: List', () => {
    const text = [
      '---',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}',
      '---',
      '',
      '---',
      'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: s}}\n  - {apiVersion: v1, kind: Service, metadata: {name: svc}}',
    ].join('\n');
    const objects = parseManifests('/x/all.yaml', text);
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['ConfigMap/a', 'Secret/s', 'Service/svc']);
    expect(objects[1]?.source).toMatch(/all\.yaml document \d+ item 1/);
  });

  it('names file and line for invalid YAML', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {x: [1, 2}\n';
    let thrown: unknown = null;
    try {
      parseManifests('/x/bad.yaml', text);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringMatching(/\/x\/bad\.yaml at line 5/) });
  });

  it('names the file and document index of a document without kind, apiVersion or name', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nmetadata: {name: nokind}\n';
    expect(() => parseManifests('/x/m.yaml', text)).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID', message: expect.stringMatching(/\/x\/m\.yaml document 2 has no kind/) }));
    expect(() => parseManifests('/x/n.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n')).toThrow(/document 1 has no metadata\.name/);
    expect(() => parseManifests('/x/s.yaml', '- 1\n- 2\n')).toThrow(/document 1 is not a Kubernetes object/);
  });
});

describe('imageRepository', () => {
  it.each([
    ['shop/orders-api:latest', 'shop/orders-api'],
    ['shop/orders-api', 'shop/orders-api'],
    ['registry:5000/shop/orders-api:1.2', 'registry:5000/shop/orders-api'],
    ['registry:5000/shop/orders-api', 'registry:5000/shop/orders-api'],
    ['shop/orders-api@sha256:abc', 'shop/orders-api'],
    ['shop/orders-api:1@sha256:abc', 'shop/orders-api'],
  ])('%s → %s', (image, repo) => expect(imageRepository(image)).toBe(repo));
});

describe('renderUnit', () => {
  it('renders the example orders-api manifests: image, namespace, labels and template annotations', async () => {
    const sourced = await loadUnitManifests(unit());
    const rendered = renderUnit(unit(), sourced, { namespace: 'shop-staging' });
    expect(rendered.substitutions).toEqual([
      { object: 'Deployment shop-staging/orders-api', container: 'orders-api', from: 'shop/orders-api:latest', to: 'shop/orders-api:3f9c1a' },
    ]);
    const dep = rendered.objects.find((o) => o.object.kind === 'Deployment')?.object as KubeObject & { spec: { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { containers: Array<{ image: string }> } } } };
    expect(dep.metadata.namespace).toBe('shop-staging');
    expect(dep.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'convoy', 'convoy.dev/project': 'orders-api', 'app.kubernetes.io/name': 'orders-api' });
    expect(dep.metadata.annotations).toEqual({ 'convoy.dev/release': 'rel-1', 'convoy.dev/commit': 'abc123' });
    expect(dep.spec.template.metadata.annotations).toEqual({ 'convoy.dev/release': 'rel-1', 'convoy.dev/commit': 'abc123' });
    expect(dep.spec.template.metadata.labels['convoy.dev/project']).toBe('orders-api');
    expect(dep.spec.template.spec.containers[0]?.image).toBe('shop/orders-api:3f9c1a');
    const svc = rendered.objects.find((o) => o.object.kind === 'Service')?.object;
    expect(svc?.metadata.namespace).toBe('shop-staging');
    expect(svc?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('convoy');
  });

  it('substitutes init containers and leaves other repositories alone; does not modify its input', () => {
    const input = deployment('api', [
      { name: 'api', image: 'shop/api:old' },
      { name: 'proxy', image: 'envoy:1.30' },
    ], [{ name: 'migrate', image: 'shop/api:old' }]);
    const before = JSON.stringify(input);
    const rendered = renderUnit(unit({ service: 'api', image: 'shop/api:new' }), [{ object: input, source: 'd.yaml document 1' }], { namespace: 'ns' });
    expect(rendered.substitutions.map((s) => s.container).sort()).toEqual(['api', 'migrate']);
    const spec = (rendered.objects[0]?.object.spec as { template: { spec: { containers: Array<{ image: string }>; initContainers: Array<{ image: string }> } } }).template.spec;
    expect(spec.containers.map((c) => c.image)).toEqual(['shop/api:new', 'envoy:1.30']);
    expect(spec.initContainers[0]?.image).toBe('shop/api:new');
    expect(JSON.stringify(input)).toBe(before);
  });

  it('puts a registry digest reference where the manifests name the project image, keeping the tag as an annotation', () => {
    const digestRef = `127.0.0.1:5000/convoy/shop/api@sha256:${'c'.repeat(64)}`;
    const input = deployment('api', [
      { name: 'api', image: 'shop/api:dev' },
      { name: 'proxy', image: 'envoy:1.30' },
    ]);
    const rendered = renderUnit(unit({ service: 'api', image: digestRef, sourceImage: 'shop/api:3f9c' }), [{ object: input, source: 's' }], { namespace: 'ns' });
    const object = rendered.objects[0]!.object as KubeObject & { spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containers: Array<{ image: string }> } } } };
    expect(object.spec.template.spec.containers.map((c) => c.image)).toEqual([digestRef, 'envoy:1.30']);
    expect(object.metadata.annotations?.['convoy.dev/image-tag']).toBe('shop/api:3f9c');
    expect(object.spec.template.metadata.annotations['convoy.dev/image-tag']).toBe('shop/api:3f9c');
    // A rollback unit (an older digest, no source) still finds the project's container by its path.
    const back = renderUnit(unit({ service: 'api', image: `127.0.0.1:5000/convoy/shop/api@sha256:${'d'.repeat(64)}` }), [{ object: input, source: 's' }], { namespace: 'ns' });
    expect(back.substitutions.map((s) => s.container)).toEqual(['api']);
  });

  it('falls back to the single container of the only Deployment when no repository matches', () => {
    const rendered = renderUnit(unit({ service: 'web', image: 'registry.local/web:9' }), [{ object: deployment('web', [{ name: 'web', image: 'nginx:1' }]), source: 's' }], { namespace: 'ns' });
    expect(rendered.substitutions).toEqual([{ object: 'Deployment ns/web', container: 'web', from: 'nginx:1', to: 'registry.local/web:9' }]);
  });

  it('reports when nothing can be substituted', () => {
    const rendered = renderUnit(unit({ service: 'web', image: 'registry.local/web:9' }), [{ object: deployment('web', [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }]), source: 's' }], { namespace: 'ns' });
    expect(rendered.substitutions).toEqual([]);
    expect(rendered.notes[0]).toMatch(/no container image matches registry\.local\/web/);
  });

  it('omits the commit annotation without a commit and keeps cluster-scoped objects without namespace', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'bogus' } };
    const rendered = renderUnit(unit({ commit: null }), [{ object: ns, source: 's' }], { namespace: 'ns' });
    expect(rendered.objects[0]?.object.metadata.namespace).toBeUndefined();
    expect(rendered.objects[0]?.object.metadata.annotations).toEqual({ 'convoy.dev/release': 'rel-1' });
  });
});

describe('apply order', () => {
  it('puts namespaces first, then config and services, then workloads, stable within a rank', () => {
    const obj = (kind: string, name: string): { object: KubeObject } => ({ object: { apiVersion: 'v1', kind, metadata: { name } } });
    const ordered = inApplyOrder([obj('Deployment', 'd1'), obj('Service', 's'), obj('ConfigMap', 'c'), obj('Namespace', 'n'), obj('Deployment', 'd2'), obj('Secret', 'x')]);
    expect(ordered.map((o) => o.object.metadata.name)).toEqual(['n', 'c', 'x', 's', 'd1', 'd2']);
    expect(applyRank('Namespace')).toBeLessThan(applyRank('ConfigMap'));
  });
});
