import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseConflicts, statusOf, toKubeError, type CallContext } from '../../../electron/adapters/kube/errors.js';
import { kubeconfigFiles, loadKubeConfig } from '../../../electron/adapters/kube/kubeconfig.js';
import { backoffDelay, delayFor, retryReason, withRetry } from '../../../electron/adapters/kube/retry.js';
import {
  listRevisions,
  ownedReplicaSets,
  rollbackPatch,
  selectRollbackTarget,
  templatesEqualIgnoringHash,
  type ReplicaSetLike,
} from '../../../electron/adapters/kube/rollback.js';
import type { DeploymentLike } from '../../../electron/adapters/kube/rollout.js';

const template = (image: string, hash?: string, release = 'r') => ({
  metadata: { labels: { app: 'orders-api', ...(hash ? { 'pod-template-hash': hash } : {}) }, annotations: { 'convoy.dev/release': release, 'convoy.dev/commit': `c-${release}` } },
  spec: { containers: [{ name: 'orders-api', image }] },
});
const rs = (name: string, revision: number | null, image: string, owner = 'dep-uid', controller = true): ReplicaSetLike => ({
  metadata: {
    name,
    uid: `${name}-uid`,
    annotations: { ...(revision !== null ? { 'deployment.kubernetes.io/revision': String(revision) } : {}), 'convoy.dev/release': `rel-${revision}` },
    creationTimestamp: `2024-01-0${revision ?? 9}T00:00:00Z`,
    ownerReferences: [{ uid: owner, controller, kind: 'Deployment' }],
  },
  spec: { template: template(image, `h${revision}`, `rel-${revision}`) },
});
const deployment = (image: string, revision: number, paused = false): DeploymentLike => ({
  metadata: { name: 'orders-api', uid: 'dep-uid', annotations: { 'deployment.kubernetes.io/revision': String(revision), 'convoy.dev/release': 'now', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: { paused, template: template(image, undefined, `rel-${revision}`) },
});

describe('rollback (kubectl rollout undo rules)', () => {
  const all = [rs('a', 1, 'img:1'), rs('b', 2, 'img:2'), rs('c', 3, 'img:3'), rs('foreign', 4, 'img:4', 'other-uid'), rs('notctl', 5, 'img:5', 'dep-uid', false)];
  const owned = ownedReplicaSets(deployment('img:3', 3), all);

  it('keeps only ReplicaSets controlled by the Deployment uid', () => {
    expect(owned.map((r) => r.metadata?.name)).toEqual(['a', 'b', 'c']);
  });

  it('defaults to the previous revision and finds a named one', () => {
    expect(selectRollbackTarget('orders-api', deployment('img:3', 3), owned).revision).toBe(2);
    expect(selectRollbackTarget('orders-api', deployment('img:3', 3), owned, '1').replicaSet.metadata?.name).toBe('a');
  });

  it('refuses paused deployments, unknown revisions (listing known ones) and a history of one', () => {
    expect(() => selectRollbackTarget('orders-api', deployment('img:3', 3, true), owned)).toThrow(expect.objectContaining({ code: 'ROLLBACK_REFUSED', message: expect.stringMatching(/paused/) }));
    expect(() => selectRollbackTarget('orders-api', deployment('img:3', 3), owned, '9')).toThrow(expect.objectContaining({ code: 'ROLLBACK_REFUSED', message: expect.stringMatching(/revision 9 not found; known revisions: 3, 2, 1/) }));
    expect(() => selectRollbackTarget('orders-api', deployment('img:3', 3), owned.slice(2))).toThrow(/no earlier revision/);
    expect(() => selectRollbackTarget('orders-api', deployment('img:3', 3), owned, 'abc')).toThrow(/not a revision number/);
  });

  it('compares templates without pod-template-hash and builds the JSON patch without it', () => {
    const d = deployment('img:3', 3);
    const c = owned[2] as ReplicaSetLike;
    expect(templatesEqualIgnoringHash(c.spec?.template, d.spec?.template)).toBe(true);
    expect(templatesEqualIgnoringHash(owned[1]?.spec?.template, d.spec?.template)).toBe(false);
    const patch = rollbackPatch(d, owned[1] as ReplicaSetLike);
    expect(patch[0]).toEqual({ op: 'replace', path: '/spec/template', value: template('img:2', undefined, 'rel-2') });
    expect(patch[1]?.value).toEqual({
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'convoy.dev/release': 'rel-2',
    });
  });

  it('lists revisions newest first with image, commit, release, createdAt and current', () => {
    const revs = listRevisions('orders-api', deployment('img:3', 3), owned);
    expect(revs.map((r) => [r.revision, r.image, r.commit, r.releaseId, r.current])).toEqual([
      ['3', 'img:3', 'c-rel-3', 'rel-3', true],
      ['2', 'img:2', 'c-rel-2', 'rel-2', false],
      ['1', 'img:1', 'c-rel-1', 'rel-1', false],
    ]);
    expect(revs[0]?.createdAt).toBe('2024-01-03T00:00:00.000Z');
  });
});

const ctx: CallContext = { environment: 'staging', context: 'shop-staging', server: 'https://127.0.0.1:6443', namespace: 'shop', object: 'Deployment shop/orders-api' };
const api = (code: number, body: unknown, headers: Record<string, string> = {}) => new ApiException(code, 'x', typeof body === 'string' ? body : JSON.stringify(body), headers);

describe('error mapping', () => {
  it('maps HTTP statuses to codes naming context, namespace and object', () => {
    expect(toKubeError(api(401, { message: 'Unauthorized' }), ctx)).toMatchObject({ code: 'KUBE_AUTH', message: expect.stringMatching(/Deployment shop\/orders-api \(context shop-staging, namespace shop/) });
    expect(toKubeError(api(403, { message: 'forbidden' }), ctx).code).toBe('KUBE_AUTH');
    expect(toKubeError(api(404, { message: 'deployments.apps "orders-api" not found' }), ctx)).toMatchObject({ code: 'KUBE_NOT_FOUND', message: expect.stringContaining('shop-staging') });
    expect(toKubeError(api(500, 'oops'), ctx)).toMatchObject({ code: 'KUBE_API_ERROR', message: expect.stringContaining('500') });
  });

  it('parses server-side apply conflicts from Status causes', () => {
    const status = {
      kind: 'Status',
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      details: { causes: [{ type: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.replicas' }] },
    };
    expect(parseConflicts(statusOf(api(409, status)))).toEqual([{ field: '.spec.replicas', manager: 'kubectl-edit' }]);
    expect(parseConflicts({ message: status.message })).toEqual([{ field: '.spec.replicas', manager: 'kubectl-edit' }]);
    expect(toKubeError(api(409, status), ctx)).toMatchObject({ code: 'KUBE_CONFLICT', message: expect.stringMatching(/\.spec\.replicas \(owned by "kubectl-edit"\)/) });
  });

  it('maps refused connections to KUBE_UNREACHABLE naming the server and a missing exec plugin to KUBE_EXEC_PLUGIN', () => {
    const refused = Object.assign(new Error('request to https://127.0.0.1:1/api failed, reason: connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', type: 'system' });
    expect(toKubeError(refused, ctx)).toMatchObject({ code: 'KUBE_UNREACHABLE', message: expect.stringMatching(/https:\/\/127\.0\.0\.1:6443 of context shop-staging/) });
    const enoent = Object.assign(new Error('spawn gke-gcloud-auth-plugin ENOENT'), { code: 'ENOENT', syscall: 'spawn gke-gcloud-auth-plugin', path: 'gke-gcloud-auth-plugin' });
    const mapped = toKubeError(enoent, ctx);
    expect(mapped.code).toBe('KUBE_EXEC_PLUGIN');
    expect(mapped.message).toMatch(/gke-gcloud-auth-plugin/);
    expect(mapped.message).toMatch(/PATH/);
    expect(mapped.message).toMatch(/absolute path/);
  });
});

describe('retry policy', () => {
  it('retries 5xx, 429 and resets, not 4xx or refused connections', () => {
    expect(retryReason(api(503, ''))).toBeTruthy();
    expect(retryReason(api(429, ''))).toBeTruthy();
    expect(retryReason(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeTruthy();
    expect(retryReason(new Error('socket hang up'))).toBeTruthy();
    expect(retryReason(api(404, ''))).toBeNull();
    expect(retryReason(api(409, ''))).toBeNull();
    expect(retryReason(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeNull();
  });

  it('backs off exponentially with bounded jitter and honours Retry-After', () => {
    const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(delayFor(policy, 1, api(429, '', { 'Retry-After': '0.3' }))).toBe(300);
    expect(delayFor(policy, 1, api(429, '', { 'retry-after': '60' }))).toBe(1000);
  });

  it('retries idempotent calls until success and never retries non-idempotent ones', async () => {
    const delays: number[] = [];
    const sleep = async (ms: number) => void delays.push(ms);
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls < 3) throw api(503, '');
      return 'ok';
    };
    await expect(withRetry(flaky, true, { attempts: 4, baseDelayMs: 10 }, { sleep, random: () => 0.5 })).resolves.toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toHaveLength(2);
    calls = 0;
    await expect(withRetry(flaky, false, { attempts: 4, baseDelayMs: 10 }, { sleep })).rejects.toMatchObject({ code: 503 });
    expect(calls).toBe(1);
    calls = 0;
    const always = async () => {
      calls++;
      throw api(502, '');
    };
    await expect(withRetry(always, true, { attempts: 3, baseDelayMs: 10 }, { sleep })).rejects.toMatchObject({ code: 502 });
    expect(calls).toBe(3);
  });
});

describe('retry cancellation', () => {
  it('stops waiting for a call at once when the signal fires', async () => {
    const controller = new AbortController();
    const pending = withRetry(() => new Promise<never>(() => {}), true, { attempts: 3, baseDelayMs: 10 }, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('kubeconfig', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convoy-kc-'));
  const file = path.join(dir, 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c1, cluster: {server: "https://127.0.0.1:6443"}}]',
      'users: [{name: u1, user: {token: t}}]',
      'contexts: [{name: one, context: {cluster: c1, user: u1}}, {name: two, context: {cluster: c1, user: u1}}]',
      'current-context: one',
    ].join('\n'),
  );

  it('chooses the explicit path, else KUBECONFIG entries, else ~/.kube/config', () => {
    expect(kubeconfigFiles('/a', { KUBECONFIG: '/b' }).files).toEqual(['/a']);
    expect(kubeconfigFiles(undefined, { KUBECONFIG: `/b${path.delimiter}/c` }).files).toEqual(['/b', '/c']);
    expect(kubeconfigFiles(undefined, {}, '/home/x').files).toEqual(['/home/x/.kube/config']);
  });

  it('selects the context, or names the file and the available contexts', () => {
    expect(loadKubeConfig('two', file).kc.getCurrentContext()).toBe('two');
    expect(() => loadKubeConfig('prod', file)).toThrow(expect.objectContaining({ code: 'KUBE_CONTEXT_MISSING', message: expect.stringMatching(new RegExp(`"prod" is not in kubeconfig ${file}; available contexts: one, two`)) }));
    expect(() => loadKubeConfig('x', path.join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'KUBE_CONTEXT_MISSING' }));
  });

  it('allows plain http only to loopback servers, as kubectl proxy serves', () => {
    const write = (server: string) => {
      const f = path.join(dir, `http-${Math.random().toString(36).slice(2)}`);
      writeFileSync(f, readFileSync(file, 'utf8').replace('https://127.0.0.1:6443', server));
      return f;
    };
    expect(loadKubeConfig('one', write('http://127.0.0.1:8001')).kc.getCurrentCluster()?.skipTLSVerify).toBe(true);
    expect(loadKubeConfig('one', write('http://localhost:8001')).kc.getCurrentCluster()?.skipTLSVerify).toBe(true);
    expect(loadKubeConfig('one', file).kc.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
    expect(() => loadKubeConfig('one', write('http://10.0.0.5:8080'))).toThrow(expect.objectContaining({ code: 'KUBE_UNREACHABLE', message: expect.stringMatching(/plain http/) }));
  });
});
