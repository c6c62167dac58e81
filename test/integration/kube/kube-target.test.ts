// The Kubernetes target end to end: apply → status → diff (no change) → new image → rollout →
// revisions → rollback → status on the old image, cross-checked with the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { exampleUnit, IMAGE_V1, IMAGE_V2, REAL, startCluster, targetConfig, type TestCluster } from './cluster.js';

let cluster: TestCluster;
let target: DeployTargetPort;
const DEADLINE = REAL ? 180_000 : 20_000;

beforeAll(async () => {
  cluster = await startCluster('convoy-it');
  target = createKubeTarget(targetConfig(cluster));
});

afterAll(async () => {
  await target?.close?.();
  await cluster?.close();
});

const v1 = () => exampleUnit('orders-api', IMAGE_V1, 'rel-1');
const v2 = () => exampleUnit('orders-api', IMAGE_V2, 'rel-2');

describe.sequential('Kubernetes target lifecycle', () => {
  it('applies the example manifests with server-side apply (namespace, then Service, then Deployment)', async () => {
    const before = cluster.server?.requests.length ?? 0;
    const messages: string[] = [];
    const result = await target.apply([v1()], { progress: (m) => messages.push(m) });
    const ns = cluster.namespace;
    expect(result.objects).toEqual([
      { service: '(namespace of staging)', object: `Namespace ${ns}`, action: 'created' },
      { service: 'orders-api', object: `Service ${ns}/orders-api`, action: 'created' },
      { service: 'orders-api', object: `Deployment ${ns}/orders-api`, action: 'created' },
    ]);
    expect(messages.some((m) => m.includes(`image shop/orders-api:latest → ${IMAGE_V1}`))).toBe(true);
    if (cluster.server) {
      const patches = cluster.server.requests.slice(before).filter((r) => r.method === 'PATCH');
      expect(patches).toHaveLength(3);
      for (const p of patches) {
        expect(p.contentType).toBe('application/apply-patch+yaml');
        expect(new URLSearchParams(p.query).get('fieldManager')).toBe('convoy');
        expect(new URLSearchParams(p.query).get('force')).toBeNull();
      }
      const dep = cluster.server.get('deployments', ns, 'orders-api') as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
      expect(dep.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'convoy', 'convoy.dev/project': 'orders-api' });
      expect(dep.metadata.annotations).toMatchObject({ 'convoy.dev/release': 'rel-1', 'convoy.dev/commit': 'commit-rel-1' });
    }
  });

  it('waits for the rollout and reports the service ready on its image', async () => {
    const messages: string[] = [];
    const statuses = await target.waitReady([v1()], { deadlineMs: DEADLINE, progress: (m) => messages.push(m) });
    expect(statuses).toEqual([expect.objectContaining({ service: 'orders-api', state: 'ready', revision: '1', image: IMAGE_V1 })]);
    expect(messages.at(-1)).toMatch(/orders-api: 2 of 2 updated replicas available/);
    const [ready, missing] = await target.status(['orders-api', 'nothing-here']);
    expect(ready).toMatchObject({ state: 'ready', image: IMAGE_V1, revision: '1' });
    expect(missing).toMatchObject({ service: 'nothing-here', state: 'missing' });
  });

  it('diffs with no change right after apply, and only the Deployment for a new image', async () => {
    const same = await target.diff([v1()]);
    expect(same.objects.map((o) => o.change)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(same.text).toBe('');
    const again = await target.apply([v1()]);
    expect(again.objects.map((o) => o.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    const next = await target.diff([v2()]);
    const byObject = Object.fromEntries(next.objects.map((o) => [o.object, o]));
    const dep = byObject[`Deployment ${cluster.namespace}/orders-api`];
    expect(dep?.change).toBe('modify');
    expect(dep?.diff).toContain(`-        - image: ${IMAGE_V1}`);
    expect(dep?.diff).toContain(`+        - image: ${IMAGE_V2}`);
    expect(dep?.diff).toContain('+        convoy.dev/release: rel-2');
    expect(byObject[`Service ${cluster.namespace}/orders-api`]?.change).toBe('modify'); // its release annotation
    expect(next.text).toContain(`+        - image: ${IMAGE_V2}`);
  });

  it('rolls out a new image, streaming progress, and lists both revisions', async () => {
    const applied = await target.apply([v2()]);
    expect(applied.objects.find((o) => o.object.startsWith('Deployment'))?.action).toBe('configured');
    const messages: string[] = [];
    const [status] = await target.waitReady([v2()], { deadlineMs: DEADLINE, progress: (m) => messages.push(m) });
    expect(status).toMatchObject({ state: 'ready', revision: '2', image: IMAGE_V2 });
    expect(messages.length).toBeGreaterThan(0);

    const revisions = await target.revisions('orders-api');
    expect(revisions.map((r) => [r.revision, r.image, r.releaseId, r.commit, r.current])).toEqual([
      ['2', IMAGE_V2, 'rel-2', 'commit-rel-2', true],
      ['1', IMAGE_V1, 'rel-1', 'commit-rel-1', false],
    ]);
    expect(revisions.every((r) => r.createdAt && !Number.isNaN(Date.parse(r.createdAt)))).toBe(true);

    const history = await cluster.kubectl('rollout', 'history', 'deployment/orders-api', '-n', cluster.namespace);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
  });

  it('rolls back to the previous revision as kubectl rollout undo does', async () => {
    const before = cluster.server?.requests.length ?? 0;
    const result = await target.rollback('orders-api');
    expect(result).toEqual({ service: 'orders-api', from: '2', to: '1', current: null });
    if (cluster.server) {
      const patches = cluster.server.requests.slice(before).filter((r) => r.method === 'PATCH');
      expect(patches).toHaveLength(1);
      expect(patches[0]?.contentType).toBe('application/json-patch+json');
      expect(new URLSearchParams(patches[0]?.query).get('fieldManager')).toBe('convoy');
    }
    const [status] = await target.waitReady([v1()], { deadlineMs: DEADLINE });
    expect(status).toMatchObject({ state: 'ready', image: IMAGE_V1, revision: '3' });

    const live = JSON.parse(await cluster.kubectl('get', 'deploy', 'orders-api', '-n', cluster.namespace, '-o', 'json')) as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: { containers: Array<{ image: string }> }; metadata: { labels: Record<string, string>; annotations: Record<string, string> } } };
    };
    expect(live.spec.template.spec.containers[0]?.image).toBe(IMAGE_V1);
    expect(live.spec.template.metadata.annotations['convoy.dev/release']).toBe('rel-1');
    expect(live.spec.template.metadata.labels['pod-template-hash']).toBeUndefined();
    expect(live.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');

    const revisions = await target.revisions('orders-api');
    expect(revisions.map((r) => [r.revision, r.image, r.current])).toEqual([
      ['3', IMAGE_V1, true],
      ['2', IMAGE_V2, false],
    ]);
  });

  it('does nothing when already at the requested template, and refuses unknown revisions', async () => {
    const before = cluster.server?.requests.length ?? 0;
    await expect(target.rollback('orders-api', '3')).resolves.toEqual({ service: 'orders-api', from: '3', to: '3', current: '3' });
    if (cluster.server) expect(cluster.server.requests.slice(before).filter((r) => r.method === 'PATCH')).toEqual([]);
    await expect(target.rollback('orders-api', '42')).rejects.toMatchObject({ code: 'ROLLBACK_REFUSED', message: expect.stringMatching(/known revisions: 3, 2/) });
  });

  it('applies a new release over a rolled-back Deployment', async () => {
    await target.apply([v2()]);
    const [status] = await target.waitReady([v2()], { deadlineMs: DEADLINE });
    expect(status).toMatchObject({ state: 'ready', image: IMAGE_V2 });
  });

  it('detects a failing image as ROLLOUT_FAILED well before the deadline', async () => {
    await cluster.faults?.failImages(/:broken$/, 'ImagePullBackOff');
    const bad = exampleUnit('storefront', 'shop/storefront:broken', 'rel-bad');
    await target.apply([bad]);
    const started = Date.now();
    const deadline = REAL ? 240_000 : 25_000;
    const error = await target.waitReady([bad], { deadlineMs: deadline }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ROLLOUT_FAILED', message: expect.stringMatching(/storefront: pod storefront-[\w-]+, container storefront: (ImagePullBackOff|ErrImagePull)/) });
    expect(Date.now() - started).toBeLessThan(deadline / 2);
    const [status] = await target.status(['storefront']);
    expect(status?.state).toBe('failed');
  });
});
