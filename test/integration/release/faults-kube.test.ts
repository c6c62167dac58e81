// The fault matrix on the Kubernetes target (issue 13, item 5): each HTTP fault the API test server can
// throw (the pod faults, which the real control plane can throw too, are in faults-kube-pods.test.ts),
// met by the release engine with the error code and a message naming the object, recorded
// (journal and report in a real store), the failed wave rolled back in reverse order, and every
// object compared with its state before the release, object by object, as the server holds it.
// Each test has its own namespace where v1 of the three services runs; v2 then meets the fault.
// Retries wait through an injected sleep that returns at once (no real back-off in the suite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import { type EngineWorld, SERVICES, release, snapshot } from '../../support/release-world.js';
import { REAL, ROOT, startCluster, type TestCluster } from '../kube/cluster.js';
import path from 'node:path';
import { NamedImages, afterApplyOf, afterDiffOf, idOf, openFaultStore, rollbacksOf, type FaultStore } from './fault-support.js';

let cluster: TestCluster;
let faults: FaultStore;
let serial = 0;

beforeAll(async () => {
  cluster = await startCluster('convoy-faults');
  faults = openFaultStore('convoy-faults-kube');
});
afterAll(async () => {
  await cluster?.close();
  faults?.close();
});

interface Setup {
  ns: string;
  target: DeployTargetPort;
  world: EngineWorld;
  /** Back-off delays the retries asked for (the sleep returns at once). */
  delays: number[];
}

function setup(options: { createNamespace?: boolean } = {}): Setup {
  const ns = `${cluster.namespace}-${++serial}`;
  const delays: number[] = [];
  const target = createKubeTarget({
    environment: 'local',
    context: cluster.context,
    namespace: ns,
    createNamespace: options.createNamespace ?? true,
    kubeconfigPath: cluster.kubeconfig,
    pollIntervalMs: 50,
    retry: { attempts: 4, baseDelayMs: 100 },
    sleep: async (ms) => void delays.push(ms),
  });
  const world: EngineWorld = {
    builder: new NamedImages(),
    images: { imageId: async (ref) => idOf(ref) },
    lock: faults.lock,
    ports: { local: target, staging: target },
    recorders: [],
    manifestsDir: (service) => path.join(ROOT, 'examples/shop/services', service, 'deploy'),
  };
  return { ns, target, world, delays };
}

/** Every object of every service as the server holds it: the Deployment's pod template and the Service's spec. */
function objects(ns: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const service of SERVICES) {
    const deployment = cluster.server!.get('deployments', ns, service) as { spec: { template: { metadata: { labels?: Record<string, string> } } } } | undefined;
    if (deployment) delete deployment.spec.template.metadata.labels?.['pod-template-hash'];
    out[`Deployment ${ns}/${service}`] = deployment?.spec.template ?? null;
    out[`Service ${ns}/${service}`] = (cluster.server!.get('services', ns, service) as { spec?: unknown } | undefined)?.spec ?? null;
  }
  return out;
}

/** v1 of every service running and ready in the namespace: the state each fault must leave as it was. */
async function baseline(s: Setup) {
  const first = await release(s.world, { id: `${s.ns}-v1`, version: 'v1', to: 'local', recorder: faults.recorder(`${s.ns}-v1`) }).done;
  expect(first.state).toBe('succeeded');
  return { objects: objects(s.ns), status: await snapshot(s.target) };
}

async function releaseV2(s: Setup, over: { variants?: Record<string, string>; timeoutMs?: number } = {}): Promise<ReleaseReport> {
  const id = `${s.ns}-v2`;
  return release(s.world, { id, version: 'v2', to: 'local', recorder: faults.recorder(id), ...over }).done;
}

/** The report, the stored record and the journal agree on a failed wave rolled back in reverse order. */
function expectRolledBack(s: Setup, report: ReleaseReport, storefront: 'rolled-back' | 'already-there') {
  const id = `${s.ns}-v2`;
  expect(report.state).toBe('rolled-back');
  expect(rollbacksOf(report)).toEqual([
    ['storefront', storefront],
    ['orders-api', 'rolled-back'],
    ['catalog-api', 'rolled-back'],
  ]);
  expect(faults.report(id)).toMatchObject({ state: 'rolled-back', cause: report.cause, environments: [{ rollbacks: report.environments[0]!.rollbacks }] });
  const rollbacks = faults.steps(id).filter((st) => st.kind === 'target.rollback');
  expect(rollbacks.map((st) => [st.target, st.ok])).toEqual(
    [...(storefront === 'rolled-back' ? ['storefront'] : []), 'orders-api', 'catalog-api'].map((service) => [`local/${service}`, true]),
  );
}

/** The journal's failed step for storefront: the step kind and the code it recorded (per-service steps). */
function failedStep(s: Setup) {
  return faults.steps(`${s.ns}-v2`).filter((st) => st.ok === false && st.kind !== 'target.applyObject').map((st) => [st.kind, st.target, st.code]);
}

/** Inside a failed apply, the one object whose write failed, with its own journal row (issue 13: per object). */
function failedObjectStep(s: Setup) {
  return faults.steps(`${s.ns}-v2`).filter((st) => st.ok === false && st.kind === 'target.applyObject').map((st) => [st.kind, st.target, st.code]);
}

describe.skipIf(REAL)('fault matrix: Kubernetes target', () => {
  it('500 and a connection reset on an apply: retried with back-off onto the same resourceVersion, and the release goes through', async () => {
    const s = setup();
    await baseline(s);
    const path = `/apis/apps/v1/namespaces/${s.ns}/deployments/storefront`;
    s.world.ports.local = afterDiffOf(s.target, () => {
      cluster.server!.faults.inject({ method: 'PATCH', path: `${path}$`, status: 500, times: 1 });
      cluster.server!.faults.inject({ method: 'PATCH', path: `${path}$`, reset: true, times: 1 });
    });
    const from = cluster.server!.requests.length;
    const report = await releaseV2(s);
    expect(report.cause).toBeNull();
    expect(report.state).toBe('succeeded');
    // After the diff's read: the apply's live read, then each failed attempt followed by a fresh read before the retry.
    const calls = cluster.server!.requests.slice(from).filter((r) => r.path === path && !r.query.includes('dryRun'));
    expect(calls.slice(1, 7).map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET', 'PATCH', 'GET', 'PATCH']);
    expect(s.delays).toHaveLength(2);
    expect(s.delays[0]).toBeGreaterThanOrEqual(50);
    expect(s.delays[1]).toBeGreaterThanOrEqual(100);
    const images = SERVICES.map((service) => (cluster.server!.get('deployments', s.ns, service) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec.containers[0]!.image);
    expect(images).toEqual(['shop/catalog-api:v2', 'shop/orders-api:v2', 'shop/storefront:v2']);
  });

  it('500 on every apply attempt: KUBE_API_ERROR naming the Deployment after 4 attempts; the wave is rolled back', async () => {
    const s = setup();
    const before = await baseline(s);
    s.world.ports.local = afterDiffOf(s.target, () => cluster.server!.faults.inject({ method: 'PATCH', path: `/namespaces/${s.ns}/deployments/storefront$`, status: 500, times: 4 }));
    const report = await releaseV2(s);
    expect(report.cause).toMatchObject({ code: 'KUBE_API_ERROR' });
    expect(report.cause!.message).toContain(`Kubernetes API error on Deployment ${s.ns}/storefront`);
    expect(report.cause!.message).toContain('500 InternalError Internal error occurred: injected fault');
    expect(report.cause!.message).toContain('gave up after 4 attempts');
    expect(report.cause!.message).toContain(`already applied in this call: Service ${s.ns}/storefront (configured)`);
    expect(s.delays).toHaveLength(3);
    expect(failedStep(s)).toEqual([['target.apply', 'local/storefront', 'KUBE_API_ERROR']]);
    expect(failedObjectStep(s)).toEqual([['target.applyObject', 'local/storefront', 'KUBE_API_ERROR']]);
    expectRolledBack(s, report, 'already-there');
    expect(objects(s.ns)).toEqual(before.objects);
    expect(await snapshot(s.target)).toEqual(before.status);
  });

  it('503 on every read while waiting for the rollout: KUBE_API_ERROR naming the Deployment; the wave is rolled back', async () => {
    const s = setup();
    const before = await baseline(s);
    s.world.ports.local = afterApplyOf(s.target, 'storefront', () =>
      cluster.server!.faults.inject({ method: 'GET', path: `/namespaces/${s.ns}/deployments/storefront$`, status: 503, times: 4 }),
    );
    const report = await releaseV2(s);
    expect(report.cause).toMatchObject({ code: 'KUBE_API_ERROR' });
    expect(report.cause!.message).toMatch(new RegExp(`Kubernetes API error on Deployment ${s.ns}/storefront .*503 ServiceUnavailable.*gave up after 4 attempts`));
    expect(failedStep(s)).toEqual([['target.waitReady', 'local/storefront', 'KUBE_API_ERROR']]);
    expectRolledBack(s, report, 'rolled-back');
    expect(objects(s.ns)).toEqual(before.objects);
    expect(await snapshot(s.target)).toEqual(before.status);
  });

  it('connection reset on every apply attempt: KUBE_UNREACHABLE naming the Deployment; the wave is rolled back', async () => {
    const s = setup();
    const before = await baseline(s);
    s.world.ports.local = afterDiffOf(s.target, () => cluster.server!.faults.inject({ method: 'PATCH', path: `/namespaces/${s.ns}/deployments/storefront$`, reset: true, times: 4 }));
    const report = await releaseV2(s);
    expect(report.cause).toMatchObject({ code: 'KUBE_UNREACHABLE' });
    expect(report.cause!.message).toMatch(new RegExp(`\\(ECONNRESET\\) while reading/writing Deployment ${s.ns}/storefront .*gave up after 4 attempts`));
    expect(failedStep(s)).toEqual([['target.apply', 'local/storefront', 'KUBE_UNREACHABLE']]);
    expect(failedObjectStep(s)).toEqual([['target.applyObject', 'local/storefront', 'KUBE_UNREACHABLE']]);
    expectRolledBack(s, report, 'already-there');
    expect(objects(s.ns)).toEqual(before.objects);
    expect(await snapshot(s.target)).toEqual(before.status);
  });

  it('409 field-manager conflict: KUBE_CONFLICT naming the Deployment, the field and its manager; the wave is rolled back', async () => {
    const s = setup();
    await baseline(s);
    await cluster.server!.applyAs('kubectl-edit', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'storefront', namespace: s.ns }, spec: { replicas: 2 } });
    // The other manager's scale-up settles before the release reads what runs.
    for (let i = 0; i < 200 && (await snapshot(s.target)).find((x) => x.service === 'storefront')?.state !== 'ready'; i++) await new Promise((r) => setTimeout(r, 25));
    const before = { objects: objects(s.ns), status: await snapshot(s.target) };
    const report = await releaseV2(s);
    expect(report.cause).toMatchObject({ code: 'KUBE_CONFLICT' });
    expect(report.cause!.message).toContain(`Server-side apply of Deployment ${s.ns}/storefront`);
    expect(report.cause!.message).toContain('.spec.replicas (owned by "kubectl-edit")');
    expect(failedStep(s)).toEqual([['target.apply', 'local/storefront', 'KUBE_CONFLICT']]);
    expect(failedObjectStep(s)).toEqual([['target.applyObject', 'local/storefront', 'KUBE_CONFLICT']]);
    expectRolledBack(s, report, 'already-there');
    expect(objects(s.ns)).toEqual(before.objects);
    expect((cluster.server!.get('deployments', s.ns, 'storefront') as { spec: { replicas: number } }).spec.replicas).toBe(2);
    expect(await snapshot(s.target)).toEqual(before.status);
  });

  it('403 forbidden: KUBE_AUTH naming the Deployment and the missing permission, not retried; the wave is rolled back', async () => {
    const s = setup();
    const before = await baseline(s);
    // Refused once the diff was shown: the permission goes away mid-release.
    s.world.ports.local = afterDiffOf(s.target, () => cluster.server!.faults.inject({ method: 'PATCH', path: `/namespaces/${s.ns}/deployments/storefront$`, status: 403 }));
    const from = cluster.server!.requests.length;
    const report = await releaseV2(s);
    cluster.server!.faults.clear();
    expect(report.cause).toMatchObject({ code: 'KUBE_AUTH' });
    expect(report.cause!.message).toContain(`Kubernetes refused Deployment ${s.ns}/storefront`);
    expect(report.cause!.message).toContain(`cannot patch resource "deployments" in API group "apps" in the namespace "${s.ns}"`);
    expect(report.cause!.message).not.toContain('attempts');
    const patches = cluster.server!.requests.slice(from).filter((r) => r.method === 'PATCH' && r.path.endsWith(`/namespaces/${s.ns}/deployments/storefront`) && !r.query.includes('dryRun'));
    expect(patches).toHaveLength(1);
    expect(failedStep(s)).toEqual([['target.apply', 'local/storefront', 'KUBE_AUTH']]);
    expect(failedObjectStep(s)).toEqual([['target.applyObject', 'local/storefront', 'KUBE_AUTH']]);
    expectRolledBack(s, report, 'already-there');
    expect(objects(s.ns)).toEqual(before.objects);
    expect(await snapshot(s.target)).toEqual(before.status);
  });

  it('404 namespace: KUBE_NOT_FOUND naming the namespace and the object; the wave is taken out and nothing is created', async () => {
    const s = setup({ createNamespace: false });
    const report = await releaseV2(s);
    expect(report.state).toBe('rolled-back');
    expect(report.cause).toMatchObject({ code: 'KUBE_NOT_FOUND' });
    expect(report.cause!.message).toMatch(new RegExp(`Namespace ${s.ns} does not exist, so Service ${s.ns}/(catalog|orders)-api .*cannot be written: create the namespace, or set createNamespace: true on environment local`));
    expect(report.environments[0]!.services.map((x) => [x.service, x.outcome])).toEqual([
      ['catalog-api', 'failed'],
      ['orders-api', 'failed'],
      ['storefront', 'not-started'],
    ]);
    expect(rollbacksOf(report)).toEqual([
      ['orders-api', 'removed'],
      ['catalog-api', 'removed'],
    ]);
    expect(faults.steps(`${s.ns}-v2`).filter((st) => st.kind === 'target.apply').map((st) => [st.target, st.code]).sort()).toEqual([
      ['local/catalog-api', 'KUBE_NOT_FOUND'],
      ['local/orders-api', 'KUBE_NOT_FOUND'],
    ]);
    expect(cluster.server!.get('namespaces', null, s.ns)).toBeUndefined();
    expect(Object.values(objects(s.ns)).every((o) => o === null)).toBe(true);
  });
});
