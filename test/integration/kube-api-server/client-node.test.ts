// @kubernetes/client-node 1.4 (what Convoy's kube adapter uses) against the test server: discovery,
// typed reads, server-side apply through KubernetesObjectApi, a bearer token and a watch.
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type KubernetesObject } from '@kubernetes/client-node';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployment, startHarness, type Harness } from './helpers.js';

describe('@kubernetes/client-node against kube-api-server', () => {
  let h: Harness;
  let kc: KubeConfig;

  beforeAll(async () => {
    h = await startHarness({ token: 'client-node-token' });
    kc = new KubeConfig();
    kc.loadFromFile(h.server.writeKubeconfig(path.join(h.dir, 'client-node'), { context: 'cn' }));
    // client-node refuses plain http unless TLS verification is off (there is no TLS to verify)
    kc.clusters = kc.clusters.map((c) => ({ ...c, skipTLSVerify: true }));
  });
  afterAll(async () => {
    await h.close();
  });

  it('lists, applies server-side, reads typed objects and watches', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');

    const objects = KubernetesObjectApi.makeApiClient(kc);
    const manifest = { ...deployment('typed', 'nginx:1'), metadata: { name: 'typed', namespace: 'default', labels: { app: 'typed' } } } as KubernetesObject;
    const applied = await objects.patch(manifest, undefined, undefined, 'convoy', true, PatchStrategy.ServerSideApply);
    expect(applied.metadata?.managedFields?.[0]).toMatchObject({ manager: 'convoy', operation: 'Apply' });
    expect(h.server.requests.some((r) => r.method === 'PATCH' && r.contentType === 'application/apply-patch+yaml')).toBe(true);

    const events: string[] = [];
    const watch = new Watch(kc);
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const request = await watch.watch(
      '/apis/apps/v1/namespaces/default/deployments',
      { fieldSelector: 'metadata.name=typed' },
      (type, object: { status?: { readyReplicas?: number } }) => {
        events.push(type);
        if (object.status?.readyReplicas === 2) done();
      },
      () => undefined,
    );
    await finished;
    request.abort();
    expect(events[0]).toBe('ADDED');

    const apps = kc.makeApiClient(AppsV1Api);
    const read = await apps.readNamespacedDeployment({ name: 'typed', namespace: 'default' });
    expect(read.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const sets = await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=typed' });
    expect(sets.items).toHaveLength(1);

    await expect(apps.readNamespacedDeployment({ name: 'missing', namespace: 'default' })).rejects.toMatchObject({ code: 404 });
  });
});
