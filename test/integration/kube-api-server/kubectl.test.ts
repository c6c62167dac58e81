// The real kubectl (v1.32) against the test API server: server-side apply, get with selectors,
// diff, rollout status/history/undo, delete, field-manager conflicts and unknown kinds.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_DEPLOY, eventually, startHarness, type Harness } from './helpers.js';

const DEPLOYMENT_YAML = readFileSync(path.join(ORDERS_DEPLOY, 'deployment.yaml'), 'utf8');

/** The parts of listed objects these tests look at. */
interface Item {
  kind: string;
  metadata: {
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: Array<Record<string, unknown>>;
  };
  spec: { template: { spec: { containers: Array<{ image: string }> } } };
}

function items(json: string): Item[] {
  return (JSON.parse(json) as { items: Item[] }).items;
}

describe('kubectl against kube-api-server', () => {
  let h: Harness;
  let v2: string;

  beforeAll(async () => {
    h = await startHarness();
    v2 = h.write('deployment-v2.yaml', DEPLOYMENT_YAML.replace('shop/orders-api:latest', 'shop/orders-api:v2'));
  });
  afterAll(async () => {
    await h.close();
  });

  it('applies the orders-api manifests server-side and rolls them out', async () => {
    const apply = await h.kubectl(['apply', '--server-side', '-f', ORDERS_DEPLOY]);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('deployment.apps/orders-api serverside-applied');
    expect(apply.stdout).toContain('service/orders-api serverside-applied');
    expect(h.server.requests.some((r) => r.method === 'PATCH' && r.contentType === 'application/apply-patch+yaml' && r.query.includes('fieldManager=kubectl'))).toBe(true);

    const status = await h.kubectl(['rollout', 'status', 'deployment/orders-api', '--timeout=20s']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('successfully rolled out');

    const deploy = h.server.get('deployments', 'default', 'orders-api')!;
    expect(deploy.metadata).toMatchObject({ generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1' } });
    expect(deploy.status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
    const managers = (deploy.metadata as { managedFields: Array<{ manager: string; operation: string }> }).managedFields;
    expect(managers).toContainEqual(expect.objectContaining({ manager: 'kubectl', operation: 'Apply' }));
  });

  it('gets deployments, replica sets and pods as JSON, with label selectors', async () => {
    const all = await h.kubectl(['get', 'deploy,rs,pods', '-o', 'json']);
    expect(all.code).toBe(0);
    const kinds = items(all.stdout).map((i) => i.kind);
    expect(kinds.filter((k) => k === 'Deployment')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'ReplicaSet')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'Pod')).toHaveLength(2);
    const rs = items(all.stdout).find((i) => i.kind === 'ReplicaSet')!;
    expect(rs.metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'orders-api', controller: true });
    expect(rs.metadata.name).toBe(`orders-api-${rs.metadata.labels['pod-template-hash']}`);

    const selected = await h.kubectl(['get', 'pods', '-l', 'app.kubernetes.io/name=orders-api,app.kubernetes.io/part-of in (shop,other)', '-o', 'json']);
    expect(items(selected.stdout)).toHaveLength(2);
    const excluded = await h.kubectl(['get', 'pods', '-l', 'app.kubernetes.io/name!=orders-api', '-o', 'json']);
    expect(items(excluded.stdout)).toHaveLength(0);
    const missing = await h.kubectl(['get', 'deploy', '-l', '!app.kubernetes.io/name', '-o', 'json']);
    expect(items(missing.stdout)).toHaveLength(0);
    const table = await h.kubectl(['get', 'deploy', 'orders-api']);
    expect(table.stdout).toMatch(/orders-api\s+2\/2\s+2\s+2/);
    const logs = await h.kubectl(['logs', 'deployment/orders-api']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('no real process runs');
  });

  it('diffs server-side: exit 0 without changes, exit 1 with the image change', async () => {
    const same = await h.kubectl(['diff', '--server-side', '-f', ORDERS_DEPLOY]);
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('');

    const changed = await h.kubectl(['diff', '--server-side', '-f', v2]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('-      - image: shop/orders-api:latest');
    expect(changed.stdout).toContain('+      - image: shop/orders-api:v2');
    // dry run: nothing stored
    expect(JSON.stringify(h.server.get('deployments', 'default', 'orders-api'))).toContain('shop/orders-api:latest');
  });

  it('rolls out a new image, lists the history and undoes it (reusing the old replica set)', async () => {
    expect((await h.kubectl(['apply', '--server-side', '-f', v2])).code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'deployment/orders-api', '--timeout=20s'])).code).toBe(0);
    const history = await h.kubectl(['rollout', 'history', 'deployment/orders-api']);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    const undo = await h.kubectl(['rollout', 'undo', 'deployment/orders-api']);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('rolled back');
    expect((await h.kubectl(['rollout', 'status', 'deployment/orders-api', '--timeout=20s'])).code).toBe(0);
    const sets = items((await h.kubectl(['get', 'rs', '-o', 'json'])).stdout);
    expect(sets).toHaveLength(2);
    const revisions = Object.fromEntries(sets.map((s) => [s.spec.template.spec.containers[0]?.image, s.metadata.annotations['deployment.kubernetes.io/revision']]));
    expect(revisions).toEqual({ 'shop/orders-api:latest': '3', 'shop/orders-api:v2': '2' });
    expect((await h.kubectl(['rollout', 'history', 'deployment/orders-api'])).stdout).toMatch(/2\s+<none>\n3\s+<none>/);

    const toRevision = await h.kubectl(['rollout', 'undo', 'deployment/orders-api', '--to-revision=2']);
    expect(toRevision.code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'deployment/orders-api', '--timeout=20s'])).code).toBe(0);
    const image = await h.kubectl(['get', 'deploy', 'orders-api', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    expect(image.stdout).toBe('shop/orders-api:v2');
    const bad = await h.kubectl(['rollout', 'undo', 'deployment/orders-api', '--to-revision=42']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unable to find specified revision 42');
  });

  it('refuses an apply that conflicts with another field manager unless --force-conflicts', async () => {
    await h.server.applyAs('release-bot', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'orders-api', namespace: 'default' },
      spec: { replicas: 3 },
    });
    const conflict = await h.kubectl(['apply', '--server-side', '-f', v2]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict');
    expect(conflict.stderr).toContain('release-bot');
    expect(conflict.stderr).toContain('.spec.replicas');

    const forced = await h.kubectl(['apply', '--server-side', '--force-conflicts', '-f', v2]);
    expect(forced.code).toBe(0);
    const deploy = h.server.get('deployments', 'default', 'orders-api')!;
    expect((deploy.spec as { replicas: number }).replicas).toBe(2);
    const bot = (deploy.metadata as { managedFields: Array<{ manager: string }> }).managedFields.find((m) => m.manager === 'release-bot');
    expect(bot).toBeUndefined();
  });

  it('scales through the scale subresource', async () => {
    const scaled = await h.kubectl(['scale', 'deployment/orders-api', '--replicas=3']);
    expect(scaled.code).toBe(0);
    expect(scaled.stdout).toContain('deployment.apps/orders-api scaled');
    expect((await h.kubectl(['rollout', 'status', 'deployment/orders-api', '--timeout=20s'])).code).toBe(0);
    expect(h.server.get('deployments', 'default', 'orders-api')!.status).toMatchObject({ replicas: 3, readyReplicas: 3 });
    // the scale was an Update by "kubectl" on the scale subresource: applying replicas: 2 now conflicts with it
    const conflict = await h.kubectl(['apply', '--server-side', '-f', v2]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
  });

  it('retries 429 answers transparently and reports injected 500s', async () => {
    const namespaces = () => h.server.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces').length;
    const before = namespaces();
    h.server.faults.errors({ status: 429, count: 2, method: 'GET', path: /^\/api\/v1\/namespaces$/ });
    const ok = await h.kubectl(['get', 'ns', '-o', 'name']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('namespace/default');
    expect(namespaces() - before).toBe(3);

    h.server.faults.errors({ status: 500, count: 50, method: 'GET', path: /^\/api\/v1\/namespaces$/ });
    const failed = await h.kubectl(['get', 'ns']);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('injected fault');
    h.server.faults.clear();
  });

  it('deletes with -f, cascading to replica sets and pods', async () => {
    const del = await h.kubectl(['delete', '-f', ORDERS_DEPLOY]);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain('deployment.apps "orders-api" deleted');
    expect(del.stdout).toContain('service "orders-api" deleted');
    expect(h.server.get('deployments', 'default', 'orders-api')).toBeUndefined();
    const left = await eventually(async () => {
      const out = items((await h.kubectl(['get', 'rs,pods', '-o', 'json'])).stdout);
      return out.length === 0 ? out : undefined;
    });
    expect(left).toEqual([]);
  });

  it('accepts the protobuf bodies of kubectl create (namespace, configmap, secret, deployment)', async () => {
    expect((await h.kubectl(['create', 'namespace', 'typed'])).code).toBe(0);
    expect((await h.kubectl(['-n', 'typed', 'create', 'configmap', 'cfg', '--from-literal=a=1'])).code).toBe(0);
    expect((await h.kubectl(['-n', 'typed', 'create', 'secret', 'generic', 'sec', '--from-literal=k=v'])).code).toBe(0);
    const created = await h.kubectl(['-n', 'typed', 'create', 'deployment', 'web', '--image=nginx:1.25', '--port=80', '--replicas=0']);
    expect(created.stderr).toBe('');
    expect(h.server.requests.some((r) => r.method === 'POST' && r.contentType === 'application/vnd.kubernetes.protobuf')).toBe(true);
    expect(h.server.get('configmaps', 'typed', 'cfg')).toMatchObject({ data: { a: '1' } });
    expect(h.server.get('secrets', 'typed', 'sec')).toMatchObject({ data: { k: Buffer.from('v').toString('base64') }, type: 'Opaque' });
    expect(h.server.get('deployments', 'typed', 'web')).toMatchObject({
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } } },
    });
    expect((await h.kubectl(['delete', 'namespace', 'typed'])).code).toBe(0);
    expect(h.server.get('deployments', 'typed', 'web')).toBeUndefined();
  });

  it('answers unknown resource types and kinds the way kubectl expects', async () => {
    const get = await h.kubectl(['get', 'widgets']);
    expect(get.code).not.toBe(0);
    expect(get.stderr).toContain(`the server doesn't have a resource type "widgets"`);
    const file = h.write('widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    const apply = await h.kubectl(['apply', '--server-side', '-f', file]);
    expect(apply.code).not.toBe(0);
    expect(apply.stderr).toContain('no matches for kind "Widget" in version "example.com/v1"');
    const nsMissing = await h.kubectl(['apply', '--server-side', '-n', 'nowhere', '-f', path.join(ORDERS_DEPLOY, 'service.yaml')]);
    expect(nsMissing.code).not.toBe(0);
    expect(nsMissing.stderr).toContain('namespaces "nowhere" not found');
  });
});

// kubectl v1.32 (this build) does not send a bearer token over plain http, so a token-protected
// server refuses it even with the token in the kubeconfig; the token itself is tested over HTTP.
describe('kubectl against a token-protected server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ token: 's3cret' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('is answered 401 Unauthorized, which kubectl reports as a login failure', async () => {
    const refused = await h.kubectl(['get', 'ns']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('You must be logged in to the server');
    expect(h.server.requests.length).toBeGreaterThan(0);
    expect(readFileSync(h.kubeconfig, 'utf8')).toContain('token: s3cret');
  });
});
