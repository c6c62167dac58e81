/* eslint-disable @typescript-eslint/no-explicit-any -- the assertions read into free-form JSON answers */
// Direct HTTP tests of the REST conventions: discovery, Status shapes, resourceVersion conflicts,
// dryRun, the PATCH flavours, server-side apply, label/field selectors, watch, faults and tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployment, eventually, startHarness, type Harness } from './helpers.js';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

function names(body: Record<string, unknown>): string[] {
  return (body.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name).sort();
}

describe('kube-api-server over HTTP', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('serves discovery documents', async () => {
    expect((await h.http('GET', '/version')).body).toMatchObject({ major: '1', minor: '32' });
    expect((await h.http('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await h.http('GET', '/apis')).body).toMatchObject({ kind: 'APIGroupList', groups: [{ name: 'apps', preferredVersion: { groupVersion: 'apps/v1' } }] });
    const apps = (await h.http('GET', '/apis/apps/v1')).body as { resources: Array<Record<string, unknown>> };
    expect(apps.resources).toContainEqual(
      expect.objectContaining({ name: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], verbs: expect.arrayContaining(['get', 'list', 'watch', 'patch']) }),
    );
    const core = (await h.http('GET', '/api/v1')).body as { resources: Array<{ name: string }> };
    expect(core.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['namespaces', 'pods', 'services', 'configmaps', 'secrets']));
    const missing = await h.http('GET', '/apis/widgets.example.com/v1');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    expect((await h.http('GET', '/api/v1/namespaces/default/widgets')).status).toBe(404);
  });

  it('answers errors with Status objects of the right reason and code', async () => {
    const notFound = await h.http('GET', `${DEPLOYMENTS}/ghost`);
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "ghost" not found',
      reason: 'NotFound',
      details: { name: 'ghost', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    const noNamespace = await h.http('POST', '/api/v1/namespaces/nope/configmaps', configMap('x'));
    expect(noNamespace.status).toBe(404);
    expect(noNamespace.body).toMatchObject({ reason: 'NotFound', message: 'namespaces "nope" not found', details: { name: 'nope', kind: 'namespaces' } });

    expect((await h.http('POST', CONFIGMAPS, configMap('dup'))).status).toBe(201);
    const dup = await h.http('POST', CONFIGMAPS, configMap('dup'));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', code: 409, message: 'configmaps "dup" already exists' });

    const nameless = await h.http('POST', CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    expect(nameless.status).toBe(422);
    expect(nameless.body).toMatchObject({ reason: 'Invalid', code: 422, details: { kind: 'ConfigMap', causes: [{ field: 'metadata.name' }] } });

    const mismatched = deployment('mismatch', 'nginx:1');
    (mismatched.spec as { selector: unknown }).selector = { matchLabels: { app: 'other' } };
    const invalid = await h.http('POST', DEPLOYMENTS, mismatched);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ reason: 'Invalid', details: { name: 'mismatch', group: 'apps', kind: 'Deployment' } });
    expect(String(invalid.body.message)).toContain('`selector` does not match template `labels`');

    expect((await h.http('POST', CONFIGMAPS, '{not json')).body).toMatchObject({ reason: 'BadRequest', code: 400 });
    expect((await h.http('POST', `${CONFIGMAPS}/dup`, configMap('dup'))).body).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
  });

  it('keeps resourceVersion, generation and 409 on stale updates', async () => {
    const created = (await h.http('POST', DEPLOYMENTS, deployment('versions', 'nginx:1'))).body as Record<string, any>;
    expect(created.metadata).toMatchObject({ generation: 1, uid: expect.any(String), creationTimestamp: expect.any(String) });
    expect(created.spec).toMatchObject({ replicas: 2, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate' } });
    const rv = created.metadata.resourceVersion as string;

    // the controller writes too (revision annotation, status), so read-modify-write retries on 409 like a client would
    const update = async (change: (object: Record<string, any>) => void) => {
      for (;;) {
        const current = (await h.http('GET', `${DEPLOYMENTS}/versions`)).body as Record<string, any>;
        change(current);
        const put = await h.http('PUT', `${DEPLOYMENTS}/versions`, current);
        if (put.status !== 409) return put;
      }
    };
    const relabelled = await update((o) => (o.metadata.labels.extra = 'yes'));
    expect(relabelled.status).toBe(200);
    const afterLabel = relabelled.body as Record<string, any>;
    expect(Number(afterLabel.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    expect(afterLabel.metadata.generation).toBe(1);

    const stale = await h.http('PUT', `${DEPLOYMENTS}/versions`, created);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(String(stale.body.message)).toContain('the object has been modified');

    const scaled = (await update((o) => (o.spec.replicas = 3))).body as Record<string, any>;
    expect(scaled.metadata.generation).toBe(2);
    await eventually(() => {
      const d = h.server.get('deployments', 'default', 'versions') as Record<string, any>;
      return d.status?.observedGeneration === 2 && d.status?.readyReplicas === 3 ? d : undefined;
    });
  });

  it('honours dryRun=All on every write verb', async () => {
    const dry = await h.http('POST', `${CONFIGMAPS}?dryRun=All`, configMap('dry'));
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ metadata: { name: 'dry', namespace: 'default' } });
    expect((await h.http('GET', `${CONFIGMAPS}/dry`)).status).toBe(404);

    await h.http('POST', CONFIGMAPS, configMap('wet', {}, { a: '1' }));
    const patched = await h.http('PATCH', `${CONFIGMAPS}/wet?dryRun=All`, { data: { a: '2' } }, { 'content-type': 'application/merge-patch+json' });
    expect(patched.body).toMatchObject({ data: { a: '2' } });
    const applied = await h.http('PATCH', `${CONFIGMAPS}/wet?dryRun=All&fieldManager=test&force=true`, configMap('wet', {}, { a: '3' }), { 'content-type': 'application/apply-patch+yaml' });
    expect(applied.body).toMatchObject({ data: { a: '3' } });
    const put = (await h.http('GET', `${CONFIGMAPS}/wet`)).body as Record<string, any>;
    put.data.a = '4';
    expect((await h.http('PUT', `${CONFIGMAPS}/wet?dryRun=All`, put)).body).toMatchObject({ data: { a: '4' } });
    expect((await h.http('DELETE', `${CONFIGMAPS}/wet?dryRun=All`)).status).toBe(200);
    expect(h.server.get('configmaps', 'default', 'wet')).toMatchObject({ data: { a: '1' } });
  });

  it('applies JSON, merge and strategic merge patches', async () => {
    const base = deployment('patchy', 'nginx:1');
    await h.http('POST', DEPLOYMENTS, base);
    const json = await h.http('PATCH', `${DEPLOYMENTS}/patchy`, [{ op: 'replace', path: '/spec/replicas', value: 1 }], { 'content-type': 'application/json-patch+json' });
    expect(json.body).toMatchObject({ spec: { replicas: 1 } });
    const merge = await h.http('PATCH', `${DEPLOYMENTS}/patchy`, { metadata: { labels: { team: 'a' } } }, { 'content-type': 'application/merge-patch+json' });
    expect(merge.body).toMatchObject({ metadata: { labels: { app: 'patchy', team: 'a' } } });
    const strategic = await h.http(
      'PATCH',
      `${DEPLOYMENTS}/patchy`,
      { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1' }, { name: 'web', env: [{ name: 'MODE', value: 'x' }] }] } } } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    const containers = (strategic.body as Record<string, any>).spec.template.spec.containers as Array<Record<string, any>>;
    expect(containers.map((c) => c.name)).toEqual(['web', 'sidecar']);
    expect(containers[0]).toMatchObject({ image: 'nginx:1', env: [{ name: 'MODE', value: 'x' }], ports: [{ containerPort: 8080, protocol: 'TCP' }] });
    const removed = await h.http(
      'PATCH',
      `${DEPLOYMENTS}/patchy`,
      { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    expect(((removed.body as Record<string, any>).spec.template.spec.containers as unknown[]).length).toBe(1);
    const unsupported = await h.http('PATCH', `${DEPLOYMENTS}/patchy`, '{}', { 'content-type': 'text/plain' });
    expect(unsupported.status).toBe(415);
  });

  it('server-side applies: creates, records managedFields, detects conflicts and removes dropped fields', async () => {
    const url = `${CONFIGMAPS}/owned?fieldManager=alice`;
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n  a: "1"\n  b: "2"\n';
    const created = await h.http('PATCH', url, yaml, { 'content-type': 'application/apply-patch+yaml' });
    expect(created.status).toBe(201);
    expect((created.body as Record<string, any>).metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'alice', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } }),
    ]);
    const noManager = await h.http('PATCH', `${CONFIGMAPS}/owned`, yaml, { 'content-type': 'application/apply-patch+yaml' });
    expect(noManager.status).toBe(400);

    const conflict = await h.http('PATCH', `${CONFIGMAPS}/owned?fieldManager=bob`, configMap('owned', {}, { a: 'bob' }), { 'content-type': 'application/apply-patch+yaml' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ reason: 'Conflict', details: { causes: [{ reason: 'FieldManagerConflict', field: '.data.a', message: 'conflict with "alice"' }] } });
    expect(String(conflict.body.message)).toBe('Apply failed with 1 conflict: conflict with "alice": .data.a');
    const forced = await h.http('PATCH', `${CONFIGMAPS}/owned?fieldManager=bob&force=true`, configMap('owned', {}, { a: 'bob' }), { 'content-type': 'application/apply-patch+yaml' });
    expect(forced.status).toBe(200);

    // alice stops applying b (nobody else owns it → removed); a now belongs to bob and stays
    const dropped = await h.http('PATCH', url, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata: {}\n', { 'content-type': 'application/apply-patch+yaml' });
    expect((dropped.body as Record<string, any>).data).toEqual({ a: 'bob' });

    const before = h.server.get('configmaps', 'default', 'owned') as Record<string, any>;
    const again = await h.http('PATCH', `${CONFIGMAPS}/owned?fieldManager=bob`, configMap('owned', {}, { a: 'bob' }), { 'content-type': 'application/apply-patch+yaml' });
    expect((again.body as Record<string, any>).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('filters lists by label and field selectors', async () => {
    await h.http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sel' } });
    const url = '/api/v1/namespaces/sel/configmaps';
    await h.http('POST', url, configMap('one', { env: 'a', tier: 'web' }));
    await h.http('POST', url, configMap('two', { env: 'b' }));
    await h.http('POST', url, configMap('three', { env: 'c', tier: 'db' }));
    const q = async (query: string) => names((await h.http('GET', `${url}?${query}`)).body);
    expect(await q('labelSelector=env%3Da')).toEqual(['one']);
    expect(await q('labelSelector=env!%3Da')).toEqual(['three', 'two']);
    expect(await q(`labelSelector=${encodeURIComponent('env in (a,b)')}`)).toEqual(['one', 'two']);
    expect(await q(`labelSelector=${encodeURIComponent('env notin (a,b)')}`)).toEqual(['three']);
    expect(await q('labelSelector=tier')).toEqual(['one', 'three']);
    expect(await q(`labelSelector=${encodeURIComponent('!tier')}`)).toEqual(['two']);
    expect(await q(`labelSelector=${encodeURIComponent('tier,env!=c')}`)).toEqual(['one']);
    expect(await q('fieldSelector=metadata.name%3Dtwo')).toEqual(['two']);
    const bad = await h.http('GET', `${url}?labelSelector=${encodeURIComponent('env in (a')}`);
    expect(bad.status).toBe(400);
    const list = (await h.http('GET', url)).body;
    expect(list).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
  });

  it('streams watch events from a resourceVersion and closes on timeoutSeconds', async () => {
    await h.http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watched' } });
    const url = '/api/v1/namespaces/watched/configmaps';
    await h.http('POST', url, configMap('before'));
    const rv = ((await h.http('GET', url)).body.metadata as { resourceVersion: string }).resourceVersion;
    const response = await fetch(`${h.server.url}${url}?watch=1&resourceVersion=${rv}&timeoutSeconds=2&labelSelector=w%3Dyes`);
    expect(response.headers.get('content-type')).toBe('application/json');
    await h.http('POST', url, configMap('seen', { w: 'yes' }, { v: '1' }));
    await h.http('POST', url, configMap('ignored', { w: 'no' }));
    const merge = { 'content-type': 'application/merge-patch+json' };
    await h.http('PATCH', `${url}/seen`, { data: { v: '2' } }, merge);
    await h.http('PATCH', `${url}/seen`, { metadata: { labels: { w: 'no' } } }, merge); // leaves the selection
    await h.http('PATCH', `${url}/seen`, { metadata: { labels: { w: 'yes' } } }, merge); // enters it again
    await h.http('DELETE', `${url}/seen`);
    const text = await response.text(); // ends when the server closes the stream after timeoutSeconds
    const events = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; object: { metadata: { name: string }; data?: Record<string, string> } });
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED seen', 'MODIFIED seen', 'DELETED seen', 'ADDED seen', 'DELETED seen']);
    expect(events[1]!.object.data).toEqual({ v: '2' });

    const initial = await fetch(`${h.server.url}${url}?watch=true&timeoutSeconds=1`);
    const lines = (await initial.text()).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['ADDED', 'ADDED']);
  });

  it('cascades deletes through ownerReferences and orphans on request', async () => {
    await h.http('POST', DEPLOYMENTS, deployment('owner', 'nginx:1', { replicas: 1 }));
    const rs = await eventually(() => {
      const list = (h.server.get('deployments', 'default', 'owner')?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1;
      return list ? true : undefined;
    });
    expect(rs).toBe(true);
    const deleted = await h.http('DELETE', `${DEPLOYMENTS}/owner`, { propagationPolicy: 'Background' });
    expect(deleted.status).toBe(200);
    const left = await h.http('GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Downer');
    expect(names(left.body)).toEqual([]);
    expect(names((await h.http('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Downer')).body)).toEqual([]);

    const parent = (await h.http('POST', CONFIGMAPS, configMap('parent'))).body as Record<string, any>;
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: parent.metadata.uid };
    await h.http('POST', CONFIGMAPS, { ...configMap('child'), metadata: { name: 'child', ownerReferences: [ref] } });
    await h.http('DELETE', `${CONFIGMAPS}/parent?propagationPolicy=Orphan`);
    const child = h.server.get('configmaps', 'default', 'child') as Record<string, any>;
    expect(child.metadata.ownerReferences).toBeUndefined();
  });
});

describe('fault injection and tokens', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ token: 'tok' });
  });
  afterAll(async () => {
    await h.close();
  });
  const auth = { authorization: 'Bearer tok' };

  it('refuses requests without the bearer token', async () => {
    const refused = await h.http('GET', '/api/v1/namespaces');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await h.http('GET', '/api/v1/namespaces', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await h.http('GET', '/api/v1/namespaces', undefined, auth)).status).toBe(200);
  });

  it('injects error answers for the next matching requests', async () => {
    h.server.faults.errors({ status: 503, count: 2, method: 'GET', path: /configmaps/ });
    const first = await h.http('GET', CONFIGMAPS, undefined, auth);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ kind: 'Status', code: 503 });
    expect((await h.http('GET', '/api/v1/namespaces', undefined, auth)).status).toBe(200);
    expect((await h.http('GET', CONFIGMAPS, undefined, auth)).status).toBe(503);
    expect((await h.http('GET', CONFIGMAPS, undefined, auth)).status).toBe(200);

    h.server.faults.errors({ status: 429, count: 1 });
    const limited = await h.http('GET', CONFIGMAPS, undefined, auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    expect(limited.body).toMatchObject({ reason: 'TooManyRequests', code: 429 });
  });

  it('resets sockets, adds latency and clears faults', async () => {
    h.server.faults.resets({ count: 1, path: /configmaps/ });
    await expect(fetch(`${h.server.url}${CONFIGMAPS}`, { headers: auth })).rejects.toThrow();
    expect((await h.http('GET', CONFIGMAPS, undefined, auth)).status).toBe(200);

    h.server.faults.latency(50);
    expect((await h.http('GET', CONFIGMAPS, undefined, auth)).status).toBe(200);
    h.server.faults.errors({ status: 500, count: 5 });
    h.server.faults.clear();
    expect((await h.http('GET', CONFIGMAPS, undefined, auth)).status).toBe(200);
    const seen = h.server.requests.filter((r) => r.path === CONFIGMAPS);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen[0]).toMatchObject({ method: 'GET', query: '', contentType: undefined });
  });
});
