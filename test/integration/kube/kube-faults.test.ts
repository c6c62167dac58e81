// The Kubernetes target under conflicts, transient faults and bad input: each a clear error, and
// nothing further applied.
import { ConvoyError } from '../../../shared/errors.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployTargetPort, DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { createKubeTarget, type KubeTargetConfig } from '../../../electron/adapters/kube/kube-target.js';
import { startKubeApiServer } from '../../kube-api-server/index.js';
import { BACKEND, exampleUnit, REAL, startCluster, targetConfig, type TestCluster } from './cluster.js';

let cluster: TestCluster;
let target: DeployTargetPort;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'convoy-kube-faults-'));

// The shared settings with a shorter retry back-off (10 ms) than the other kube tests use.
const config = (over: Partial<KubeTargetConfig> = {}): KubeTargetConfig => targetConfig(cluster, { retry: { attempts: 4, baseDelayMs: 10 }, ...over });

/** A unit whose deploy/ folder holds the given files. */
function unitWith(name: string, files: Record<string, string>): DeployUnit {
  const dir = mkdtempSync(path.join(tmp, `${name}-`));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return exampleUnit(name, `shop/${name}:1`, 'rel-x', { manifestsDir: dir });
}

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;

function writes(from: number): Array<{ method: string; path: string }> {
  return (cluster.server?.requests ?? []).slice(from).filter((r) => r.method !== 'GET');
}

beforeAll(async () => {
  cluster = await startCluster('convoy-faults');
  target = createKubeTarget(config());
});

afterAll(async () => {
  await cluster?.close();
});

describe.sequential('Kubernetes target: conflicts and transient faults', () => {
  it('reports a server-side apply conflict with the field and the other manager, then takes over with force', async () => {
    const unit = exampleUnit('catalog-api', 'shop/catalog-api:1', 'rel-1');
    await target.apply([unit]);
    await cluster.applyAs('kubectl-edit', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'catalog-api', namespace: cluster.namespace },
      spec: { replicas: 5 },
    });
    const error = await target.apply([unit]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KUBE_CONFLICT', message: expect.stringMatching(/\.spec\.replicas \(owned by "kubectl-edit"\)/) });
    expect((error as Error).message).toContain(`Deployment ${cluster.namespace}/catalog-api`);

    const diff = await target.diff([unit]);
    expect(diff.objects.find((o) => o.object.startsWith('Deployment'))?.diff).toMatch(/^# .*KUBE_CONFLICT|^# .*conflicts with another field manager/m);

    const before = cluster.server?.requests.length ?? 0;
    const forced = await target.apply([unit], { force: true });
    expect(forced.objects.find((o) => o.object.startsWith('Deployment'))?.action).toBe('configured');
    if (cluster.server) {
      const forcedPatch = cluster.server.requests.slice(before).find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/catalog-api'));
      expect(new URLSearchParams(forcedPatch?.query).get('force')).toBe('true');
    }
    const live = JSON.parse(await cluster.kubectl('get', 'deployment', 'catalog-api', '-n', cluster.namespace, '-o', 'json')) as { spec: { replicas: number } };
    expect(live.spec.replicas).toBe(2);
  });

  it.skipIf(REAL)('survives injected 503s, 429s and connection resets on reads', async () => {
    const server = cluster.server;
    if (!server) return;
    const retries = (messages: string[]) => messages.filter((m) => /retry \d/.test(m));

    let progress: string[] = [];
    server.faults.errors({ status: 503, count: 2, method: 'GET', path: /deployments/ });
    const [status] = await target.status(['catalog-api'], { progress: (m) => progress.push(m) });
    expect(status).toMatchObject({ service: 'catalog-api', revision: expect.any(String) });
    expect(retries(progress)).toHaveLength(2);
    expect(retries(progress)[0]).toMatch(/HTTP 503, retry 1/);

    progress = [];
    server.faults.resets({ count: 2, method: 'GET', path: /replicasets/ });
    const revisions = await target.revisions('catalog-api', { progress: (m) => progress.push(m) });
    expect(revisions.length).toBeGreaterThan(0);
    expect(retries(progress).every((m) => /connection reset/.test(m))).toBe(true);
    expect(retries(progress)).toHaveLength(2);

    progress = [];
    server.faults.errors({ status: 429, count: 1, method: 'GET', path: /deployments/ });
    await target.status(['catalog-api'], { progress: (m) => progress.push(m) });
    expect(retries(progress)).toEqual([expect.stringMatching(/429/)]);

    server.faults.errors({ status: 503, count: 10, method: 'GET', path: /deployments/ });
    await expect(target.status(['catalog-api'])).rejects.toMatchObject({ code: 'KUBE_API_ERROR', message: expect.stringContaining('503') });
    server.faults.clear();
  });

  it.skipIf(REAL)('retries server-side apply (idempotent) but never the rollback patch', async () => {
    cluster.server?.faults.errors({ status: 502, count: 1, method: 'PATCH', path: /configmaps\/retry-me/ });
    const unit = unitWith('retry-me', { 'cm.yaml': configMap('retry-me') });
    const result = await target.apply([unit]);
    expect(result.objects.map((o) => o.action)).toContain('created');

    const orders = exampleUnit('orders-api', 'shop/orders-api:a', 'rel-a');
    await target.apply([orders]);
    await target.waitReady([orders], { deadlineMs: 20_000 });
    await target.apply([{ ...orders, image: 'shop/orders-api:b', releaseId: 'rel-b' }]);
    await target.waitReady([orders], { deadlineMs: 20_000 });
    cluster.server?.faults.errors({ status: 503, count: 1, method: 'PATCH', path: /deployments\/orders-api/ });
    const before = cluster.server?.requests.length ?? 0;
    await expect(target.rollback('orders-api')).rejects.toMatchObject({ code: 'KUBE_API_ERROR', message: expect.stringContaining('503') });
    expect(writes(before).filter((r) => r.method === 'PATCH')).toHaveLength(1);
    cluster.server?.faults.clear();
  });
});

describe('Kubernetes target: secrets', () => {
  it('masks Secret values in diffs, marking changed ones', async () => {
    const secret = (value: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${Buffer.from(value).toString('base64')}\n  user: ${Buffer.from('shop').toString('base64')}\n`;
    const first = unitWith('secrets', { 's.yaml': secret('hunter2') });
    const added = await target.diff([first]);
    const addedSecret = added.objects.find((o) => o.object.startsWith('Secret'));
    expect(addedSecret?.change).toBe('add');
    expect(addedSecret?.diff).toContain('password: "***"');
    expect(added.text).not.toContain(Buffer.from('hunter2').toString('base64'));
    await target.apply([first]);
    const changed = await target.diff([{ ...first, manifestsDir: unitWith('secrets', { 's.yaml': secret('correct horse') }).manifestsDir }]);
    const d = changed.objects.find((o) => o.object.startsWith('Secret'))?.diff ?? '';
    expect(d).toContain('+  password: "*** (changed)"');
    expect(d).not.toMatch(/user: "\*\*\* \(changed\)"/);
    expect(d).not.toContain(Buffer.from('correct horse').toString('base64'));
    expect(d).not.toContain(Buffer.from('hunter2').toString('base64'));
  });
});

describe('Kubernetes target: diff changes nothing', () => {
  it('shows every object of a new environment as an addition and creates nothing', async () => {
    const fresh = `${cluster.namespace}-fresh`;
    const before = cluster.server?.requests.length ?? 0;
    const diff = await createKubeTarget(config({ namespace: fresh })).diff([exampleUnit('orders-api', 'shop/orders-api:v1', 'rel-1')]);
    expect(diff.objects.map((o) => [o.object, o.change])).toEqual([
      [`Namespace ${fresh}`, 'add'],
      [`Service ${fresh}/orders-api`, 'add'],
      [`Deployment ${fresh}/orders-api`, 'add'],
    ]);
    expect(diff.text).toContain('+        - image: shop/orders-api:v1');
    if (cluster.server) {
      expect(cluster.server.get('namespaces', null, fresh)).toBeUndefined();
      const writesSeen = cluster.server.requests.slice(before).filter((r) => r.method !== 'GET');
      // The diff did ask the server (a server-side dry-run apply per object), so "every write was a dry
      // run" cannot pass merely because nothing was sent.
      expect(writesSeen.map((r) => `${r.method} ${r.path}`)).toEqual([
        `PATCH /api/v1/namespaces/${fresh}`,
        `PATCH /api/v1/namespaces/${fresh}/services/orders-api`,
        `PATCH /apis/apps/v1/namespaces/${fresh}/deployments/orders-api`,
      ]);
      expect(writesSeen.filter((r) => new URLSearchParams(r.query).get('dryRun') !== 'All').map((r) => `${r.method} ${r.path}`)).toEqual([]);
    }
  });
});

describe('Kubernetes target: bad input, nothing applied', () => {
  it.skipIf(BACKEND === 'user-cluster')('maps a rejected token to KUBE_AUTH naming context, namespace and object', async () => {
    // On the control plane: its kubeconfig with a token the API server never issued.
    const secured = BACKEND === 'test-server' ? await startKubeApiServer({ token: 'right-token' }) : null;
    try {
      const file = secured
        ? secured.writeKubeconfig(path.join(tmp, 'auth-kubeconfig'), { context: 'secured', token: 'wrong-token' })
        : path.join(tmp, 'auth-kubeconfig');
      if (!secured) writeFileSync(file, readFileSync(cluster.kubeconfig, 'utf8').replace(/token: .*/, 'token: wrong-token').replaceAll(cluster.context, 'secured'));
      const error = await createKubeTarget(config({ kubeconfigPath: file, context: 'secured' })).status(['orders-api']).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'KUBE_AUTH', message: expect.stringMatching(/context secured, namespace /) });
    } finally {
      await secured?.close();
    }
  });

  it('refuses invalid YAML naming file and line, before any request', async () => {
    const before = cluster.server?.requests.length ?? 0;
    const bad = unitWith('bad-yaml', { 'a.yaml': configMap('fine'), 'b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: [1, 2}\n' });
    const error = await target.apply([bad]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringMatching(/b\.yaml at line \d+/) });
    if (cluster.server) expect(cluster.server.requests.length).toBe(before);
    expect(cluster.server?.get('configmaps', cluster.namespace, 'fine')).toBeUndefined();
  });

  it('refuses a manifest without kind or name naming file and document', async () => {
    const noKind = unitWith('no-kind', { 'm.yaml': `${configMap('ok-one')}---\napiVersion: v1\nmetadata:\n  name: nokind\n` });
    await expect(target.apply([noKind])).rejects.toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringMatching(/m\.yaml document 2 has no kind/) });
    const noName = unitWith('no-name', { 'm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n' });
    await expect(target.diff([noName])).rejects.toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringMatching(/m\.yaml document 1 has no metadata\.name/) });
    expect(cluster.server?.get('configmaps', cluster.namespace, 'ok-one')).toBeUndefined();
  });

  it('refuses a kind the cluster does not serve, applying nothing', async () => {
    const before = cluster.server?.requests.length ?? 0;
    const unit = unitWith('widgets', {
      'a.yaml': configMap('before-widget'),
      'b.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec: {}\n',
    });
    const error = await target.apply([unit]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KUBE_KIND_UNSUPPORTED', message: expect.stringMatching(/Widget \(example\.com\/v1\) in .*b\.yaml document 1/) });
    expect(writes(before)).toEqual([]);
    if (REAL) {
      await expect(cluster.kubectl('get', 'configmap', 'before-widget', '-n', cluster.namespace)).rejects.toThrow();
    } else {
      expect(cluster.server?.get('configmaps', cluster.namespace, 'before-widget')).toBeUndefined();
    }
  });

  it('names the kubeconfig and the available contexts when the context is missing', async () => {
    const missing = createKubeTarget(config({ context: 'shop-prod' }));
    const error = await missing.status(['orders-api']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KUBE_CONTEXT_MISSING' });
    expect((error as Error).message).toContain('"shop-prod"');
    expect((error as Error).message).toContain(cluster.kubeconfig);
    expect((error as Error).message).toContain(cluster.context);
  });

  it('reports an unreachable cluster with its server URL and context', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const file = path.join(tmp, 'unreachable-kubeconfig');
    const text = readFileSync(cluster.kubeconfig, 'utf8').replace(/server: .*/g, `server: http://127.0.0.1:${port}`);
    writeFileSync(file, text);
    const context = cluster.context;
    const down = createKubeTarget(config({ kubeconfigPath: file, context }));
    const unit = unitWith('down', { 'cm.yaml': configMap('down') });
    const error = await down.apply([unit]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KUBE_UNREACHABLE' });
    expect((error as Error).message).toContain(`http://127.0.0.1:${port}`);
    expect((error as Error).message).toContain(`context ${context}`);
  });

  it.skipIf(BACKEND === 'user-cluster')('explains a missing exec credential plugin (a GUI app without the login shell PATH)', async () => {
    const file = path.join(tmp, 'exec-kubeconfig');
    const text = readFileSync(cluster.kubeconfig, 'utf8')
      .replace(/users:[\s\S]*?(?=contexts:)/, (users) => users.replace(/user:.*(\n\s+token:.*)?/, 'user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1beta1\n        command: convoy-test-no-such-auth-plugin\n        interactiveMode: Never'));
    writeFileSync(file, text);
    const unit = unitWith('exec', { 'cm.yaml': configMap('exec') });
    const error = await createKubeTarget(config({ kubeconfigPath: file })).diff([unit]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KUBE_EXEC_PLUGIN' });
    expect((error as Error).message).toMatch(/convoy-test-no-such-auth-plugin/);
    expect((error as Error).message).toMatch(/login shell's PATH/);
    expect((error as Error).message).toMatch(/absolute path/);
  });
});

describe.sequential('Kubernetes target: waiting', () => {
  it('gives up with ROLLOUT_TIMEOUT at the deadline, and honours cancellation', async () => {
    const unit = exampleUnit('storefront', 'shop/storefront:slow-1', 'rel-slow-1');
    await target.apply([unit]);
    await expect(target.waitReady([unit], { deadlineMs: 1 })).rejects.toMatchObject({ code: 'ROLLOUT_TIMEOUT', message: expect.stringMatching(/storefront/) });

    const next = { ...unit, image: 'shop/storefront:slow-2', releaseId: 'rel-slow-2' };
    await target.apply([next]);
    const controller = new AbortController();
    const waiting = target.waitReady([next], { deadlineMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('Kubernetes target: a server that does not answer', () => {
  it.skipIf(REAL)('gives up on each attempt after requestTimeoutMs, retries, then says the server is unreachable', async () => {
    const slow = createKubeTarget(config({ retry: { attempts: 2, baseDelayMs: 10, requestTimeoutMs: 150 } }));
    cluster.server!.faults.latency(2_000);
    const messages: string[] = [];
    try {
      const error = await slow.status(['anything'], { progress: (m) => messages.push(m) }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'KUBE_UNREACHABLE', message: expect.stringContaining('ETIMEDOUT') });
      expect(messages.some((m) => /no answer within 150 ms, retry 1/.test(m))).toBe(true);
    } finally {
      cluster.server!.faults.clear();
    }
  });
});

describe('Kubernetes target: a 409 that is not a field conflict', () => {
  it('reports a stale resourceVersion as KUBE_CONFLICT without advising force, in apply and in diff', async () => {
    const unit = unitWith('stale', { 'cm.yaml': `${configMap('stale')}`.replace('  name: stale\n', '  name: stale\n  resourceVersion: "1"\n') });
    await target.apply([unitWith('stale-first', { 'cm.yaml': configMap('stale') })]);
    for (const call of [() => target.apply([unit]), () => target.diff([unit])]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConvoyError);
      expect(error).toMatchObject({ code: 'KUBE_CONFLICT', message: expect.stringContaining('ConfigMap') });
      expect((error as Error).message).not.toMatch(/with force/);
    }
  });
});
