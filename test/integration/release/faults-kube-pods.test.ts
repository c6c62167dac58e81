// The pod-level faults of the fault matrix on the Kubernetes target (issue 13, item 5), on both backends:
// the API test server and the real control plane (kube-controller-manager's deployment controller,
// with the pod simulator as the node; see docs/kubernetes-testing.md). ImagePullBackOff,
// CrashLoopBackOff, a progress deadline passed (ProgressDeadlineExceeded from the deployment
// controller, on a Deployment whose progressDeadlineSeconds is short) and a rollout that never gets
// ready before the release's deadline: each met by the release engine with the error code and a
// message naming the Deployment, recorded (journal and report in a real store), the failed wave
// rolled back in reverse order, and every object read back from the API server and compared with its
// state before the release, with the revision numbers the controller gave the rollback.
// Each test has its own namespace where v1 of the three services runs; v2 then meets the fault.
// The pod simulator's rules are shared by every file on the control plane, so the failing tags carry
// this file's run id.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import { type EngineWorld, SERVICES, release, snapshot } from '../../support/release-world.js';
import { FAULTS, REAL, ROOT, startCluster, type PodFailure, type TestCluster } from '../kube/cluster.js';
import { NamedImages, idOf, openFaultStore, rollbacksOf, type FaultStore } from './fault-support.js';

const run = Math.random().toString(36).slice(2, 8);
/** storefront's progressDeadlineSeconds in the deadline test: short, yet long enough for v1 to roll out on a busy machine. */
const PROGRESS_DEADLINE_S = 4;

let cluster: TestCluster;
let faults: FaultStore;
let serial = 0;
let shortDeadline: string;

beforeAll(async () => {
  cluster = await startCluster('convoy-podfaults');
  faults = openFaultStore('convoy-faults-pods');
  // storefront's manifests with a short progress deadline: the deployment controller gives up on its own.
  shortDeadline = mkdtempSync(path.join(tmpdir(), 'convoy-deadline-'));
  const from = path.join(ROOT, 'examples/shop/services/storefront/deploy');
  const deployment = readFileSync(path.join(from, 'deployment.yaml'), 'utf8');
  expect(deployment).toContain('\n  replicas: 1\n');
  writeFileSync(path.join(shortDeadline, 'deployment.yaml'), deployment.replace('\n  replicas: 1\n', `\n  replicas: 1\n  progressDeadlineSeconds: ${PROGRESS_DEADLINE_S}\n`));
  copyFileSync(path.join(from, 'service.yaml'), path.join(shortDeadline, 'service.yaml'));
});
afterAll(async () => {
  await cluster?.close();
  faults?.close();
  if (shortDeadline) rmSync(shortDeadline, { recursive: true, force: true });
});

interface Setup {
  ns: string;
  target: DeployTargetPort;
  world: EngineWorld;
}

function setup(options: { shortDeadline?: boolean } = {}): Setup {
  const ns = `${cluster.namespace}-${++serial}`;
  const target = createKubeTarget({
    environment: 'local',
    context: cluster.context,
    namespace: ns,
    createNamespace: true,
    kubeconfigPath: cluster.kubeconfig,
    pollIntervalMs: 50,
    retry: { attempts: 4, baseDelayMs: 20 },
  });
  const world: EngineWorld = {
    builder: new NamedImages(),
    images: { imageId: async (ref) => idOf(ref) },
    lock: faults.lock,
    ports: { local: target, staging: target },
    recorders: [],
    manifestsDir: (service) => (service === 'storefront' && options.shortDeadline ? shortDeadline : path.join(ROOT, 'examples/shop/services', service, 'deploy')),
  };
  return { ns, target, world };
}

interface LiveDeployment {
  metadata: { annotations?: Record<string, string> };
  spec: { replicas: number; template: { metadata: { labels?: Record<string, string> } } };
  status: { replicas?: number; updatedReplicas?: number; readyReplicas?: number; conditions?: Array<{ type: string; status: string; reason: string }> };
}

const getJson = async <T,>(...args: string[]): Promise<T> => JSON.parse(await cluster.kubectl('get', ...args, '-o', 'json')) as T;

/** Every object of every service as the API server holds it: the Deployment's pod template and the Service's spec. */
async function objects(ns: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const service of SERVICES) {
    const deployment = await getJson<LiveDeployment>('deployment', service, '-n', ns);
    delete deployment.spec.template.metadata.labels?.['pod-template-hash'];
    out[`Deployment ${ns}/${service}`] = deployment.spec.template;
    out[`Service ${ns}/${service}`] = (await getJson<{ spec: unknown }>('service', service, '-n', ns)).spec;
  }
  return out;
}

/**
 * After the rollback, as the deployment controller leaves it: every Deployment at revision 3 (v1's
 * ReplicaSet renumbered, as `kubectl rollout undo` does), `kubectl rollout history` listing 2 and 3,
 * and no pod of the failed v2 left counted.
 */
async function expectSettledAtV1(ns: string, revision = '3', history = ['2', '3']) {
  for (const service of SERVICES) {
    const deployment = await getJson<LiveDeployment>('deployment', service, '-n', ns);
    expect([service, deployment.metadata.annotations?.['deployment.kubernetes.io/revision']]).toEqual([service, revision]);
    expect(deployment.status).toMatchObject({ replicas: deployment.spec.replicas, updatedReplicas: deployment.spec.replicas, readyReplicas: deployment.spec.replicas });
    expect(deployment.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const lines = await cluster.kubectl('rollout', 'history', `deployment/${service}`, '-n', ns);
    expect([service, lines.split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/)[0])]).toEqual([service, history]);
  }
}

/** v1 of every service running and ready in the namespace: the state each fault must leave as it was. */
async function baseline(s: Setup) {
  const first = await release(s.world, { id: `${s.ns}-v1`, version: 'v1', to: 'local', recorder: faults.recorder(`${s.ns}-v1`) }).done;
  expect(first.cause).toBeNull();
  expect(first.state).toBe('succeeded');
  return { objects: await objects(s.ns), status: await snapshot(s.target) };
}

async function releaseV2(s: Setup, over: { variants?: Record<string, string>; timeoutMs?: number; id?: string } = {}): Promise<ReleaseReport> {
  const id = over.id ?? `${s.ns}-v2`;
  return release(s.world, { id, version: 'v2', to: 'local', recorder: faults.recorder(id), ...over }).done;
}

/** The report, the stored record and the journal agree on the failed wave rolled back in reverse order, each to revision 1. */
function expectRolledBack(s: Setup, report: ReleaseReport) {
  const id = `${s.ns}-v2`;
  expect(report.state).toBe('rolled-back');
  expect(rollbacksOf(report)).toEqual([
    ['storefront', 'rolled-back'],
    ['orders-api', 'rolled-back'],
    ['catalog-api', 'rolled-back'],
  ]);
  expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.to.revision, r.to.image, r.after?.image, r.after?.state])).toEqual(
    ['storefront', 'orders-api', 'catalog-api'].map((service) => [service, '1', `shop/${service}:v1`, `shop/${service}:v1`, 'ready']),
  );
  expect(faults.report(id)).toMatchObject({ state: 'rolled-back', cause: report.cause, environments: [{ rollbacks: report.environments[0]!.rollbacks }] });
  const rollbacks = faults.steps(id).filter((st) => st.kind === 'target.rollback');
  expect(rollbacks.map((st) => [st.target, st.ok])).toEqual(['storefront', 'orders-api', 'catalog-api'].map((service) => [`local/${service}`, true]));
}

/** The journal's failed step for storefront: the step kind and the code it recorded. */
function failedStep(s: Setup) {
  return faults.steps(`${s.ns}-v2`).filter((st) => st.ok === false).map((st) => [st.kind, st.target, st.code]);
}

const failing = (failure: PodFailure | 'NeverReady') => {
  const variant = `v2-${run}-${failure}`;
  return { variant, fail: () => cluster.faults!.failImages(new RegExp(`:${variant}$`), failure) };
};

// The kubelet's back-off after the restarts each reports (the test server's pods have restarted once, the simulator's three times).
const BACKOFF = REAL ? '40s' : '10s';

describe.skipIf(!FAULTS)(`fault matrix, pod faults: Kubernetes target (${REAL ? 'real control plane' : 'API test server'})`, () => {
  it.each([
    ['ImagePullBackOff', (v: string) => new RegExp(`storefront: pod storefront-[a-z0-9-]+, container storefront: ImagePullBackOff — Back-off pulling image "shop/storefront:${v}"`)],
    ['CrashLoopBackOff', () => new RegExp(`storefront: pod storefront-[a-z0-9-]+, container storefront: CrashLoopBackOff — back-off ${BACKOFF} restarting failed container=storefront`)],
  ] as const)('%s: ROLLOUT_FAILED naming the Deployment; the wave is rolled back', async (failure, message) => {
    const s = setup();
    const before = await baseline(s);
    const { variant, fail } = failing(failure);
    await fail();
    const report = await releaseV2(s, { variants: { storefront: variant } });
    expect(report.cause).toMatchObject({ code: 'ROLLOUT_FAILED' });
    expect(report.cause!.message).toMatch(/^Rollout failed in local: /);
    expect(report.cause!.message).toMatch(message(variant));
    expect(failedStep(s)).toEqual([['target.waitReady', 'local/storefront', 'ROLLOUT_FAILED']]);
    expectRolledBack(s, report);
    expect(await objects(s.ns)).toEqual(before.objects);
    expect(await snapshot(s.target)).toEqual(before.status);
    await expectSettledAtV1(s.ns);
  });

  it('the failed release tried again after its rollback: a new ReplicaSet (revision 4), rolled back again to revision 5', async () => {
    const s = setup();
    const before = await baseline(s);
    const { variant, fail } = failing('ImagePullBackOff');
    await fail();
    expect((await releaseV2(s, { variants: { storefront: variant } })).state).toBe('rolled-back');
    // The retry is another release: its id is on the pod template, so each service gets a new ReplicaSet.
    const again = await releaseV2(s, { variants: { storefront: variant }, id: `${s.ns}-v2-again` });
    expect(again.state).toBe('rolled-back');
    expect(again.cause).toMatchObject({ code: 'ROLLOUT_FAILED', message: expect.stringContaining('container storefront: ImagePullBackOff') });
    expect(again.environments[0]!.services.map((x) => [x.service, x.before.revision, x.before.image])).toEqual(SERVICES.map((service) => [service, '3', `shop/${service}:v1`]));
    expect(again.environments[0]!.rollbacks.map((r) => [r.service, r.outcome, r.to.revision, r.after?.revision])).toEqual(
      ['storefront', 'orders-api', 'catalog-api'].map((service) => [service, 'rolled-back', '3', '5']),
    );
    expect(await objects(s.ns)).toEqual(before.objects);
    expect(await snapshot(s.target)).toEqual(before.status);
    await expectSettledAtV1(s.ns, '5', ['2', '4', '5']);
  });

  it(`ProgressDeadlineExceeded (progressDeadlineSeconds: ${PROGRESS_DEADLINE_S}, pods never ready): ROLLOUT_FAILED naming the Deployment; the wave is rolled back`, async () => {
    const s = setup({ shortDeadline: true });
    const before = await baseline(s);
    const { variant, fail } = failing('NeverReady');
    await fail();
    // The release's own deadline is far off: the deployment controller's verdict ends the wait.
    const report = await releaseV2(s, { variants: { storefront: variant }, timeoutMs: 100_000 });
    expect(report.cause).toMatchObject({ code: 'ROLLOUT_FAILED' });
    expect(report.cause!.message).toMatch(/^Rollout failed in local: /);
    expect(report.cause!.message).toMatch(/storefront: deployment exceeded its progress deadline \(ProgressDeadlineExceeded: ReplicaSet "storefront-[a-z0-9]+" has timed out progressing\.\)/);
    expect(failedStep(s)).toEqual([['target.waitReady', 'local/storefront', 'ROLLOUT_FAILED']]);
    expectRolledBack(s, report);
    expect(await objects(s.ns)).toEqual(before.objects);
    expect(await snapshot(s.target)).toEqual(before.status);
    await expectSettledAtV1(s.ns);
  });

  it('a rollout that never gets ready: ROLLOUT_TIMEOUT at the deadline naming the Deployment; the wave is rolled back', async () => {
    const s = setup();
    const before = await baseline(s);
    const { variant, fail } = failing('NeverReady');
    await fail();
    // The deploy timeout is the only real wait here: the rollout is judged at its deadline (longer on
    // the control plane, whose controllers need a moment to create the new ReplicaSet and its pod).
    const timeoutMs = REAL ? 6_000 : 1_500;
    const report = await releaseV2(s, { variants: { storefront: variant }, timeoutMs });
    expect(report.cause).toMatchObject({ code: 'ROLLOUT_TIMEOUT' });
    expect(report.cause!.message).toMatch(new RegExp(`^Rollout in local did not finish within ${timeoutMs} ms: storefront: 1 old replicas pending termination$`));
    expect(failedStep(s)).toEqual([['target.waitReady', 'local/storefront', 'ROLLOUT_TIMEOUT']]);
    expectRolledBack(s, report);
    expect(await objects(s.ns)).toEqual(before.objects);
    expect(await snapshot(s.target)).toEqual(before.status);
    await expectSettledAtV1(s.ns);
  });
});
