// The release engine (electron/core/release) on the Kubernetes target over the Kubernetes API test
// server and the real control plane (see test/integration/kube/cluster.ts), deploying the example's manifests:
// a good release through two environments (namespaces) with approval, a re-release that applies
// nothing, a failing second wave (ImagePullBackOff) rolled back in reverse order with every Deployment's
// pod template compared with its state before, a service the failed release introduced removed, a
// cancel mid-wave, and a second release refused by the
// store's per-environment lease. The images are not built here: a stand-in builder names them by the
// VERSION build arg (shop/<service>:v1, :v2, :broken), and the image inspector gives each a stable ID.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../shared/errors.js';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { currentProcess } from '../../../electron/adapters/system/process-identity.js';
import { createLeaseKeeper } from '../../../electron/core/lease.js';
import { leaseLock } from '../../../electron/core/release/lease-lock.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import type { BuildResult, BuildSpec, ImageBuilderPort, TestResult, TestSpec } from '../../../electron/core/ports/image-builder.js';
import { type EngineWorld, SERVICES, release, snapshot } from '../../support/release-world.js';
import { FakeApprover } from '../../fakes/release-run.js';
import { FAULTS, ROOT, startCluster, type TestCluster } from '../kube/cluster.js';

const idOf = (image: string) => `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`;

class NamedImages implements ImageBuilderPort {
  private readonly seen = new Set<string>();
  async contentHash(spec: BuildSpec) {
    return `${spec.project}-${spec.buildArgs.VERSION}`;
  }
  async build(spec: BuildSpec): Promise<BuildResult> {
    const image = `shop/${spec.project}:${spec.buildArgs.VERSION}`;
    const cached = this.seen.has(image);
    this.seen.add(image);
    return { project: spec.project, image, contentHash: image, imageId: idOf(image), cached, durationMs: 1 };
  }
  async runTest(spec: TestSpec): Promise<TestResult> {
    return { project: spec.project, image: spec.image, exitCode: 0, timedOut: false, durationMs: 1, logs: [] };
  }
}

let cluster: TestCluster;
const storeDir = mkdtempSync(path.join(tmpdir(), 'convoy-release-kube-'));
const store = openStore(storeDir);
const lock = leaseLock(createLeaseKeeper({ store, self: currentProcess() }), store);

beforeAll(async () => {
  cluster = await startCluster('convoy-release');
  await cluster.faults?.failImages(/:broken$/, 'ImagePullBackOff');
});
afterAll(async () => {
  await cluster?.close();
  store.close();
  rmSync(storeDir, { recursive: true, force: true });
});

describe.skipIf(!FAULTS)('release engine on the Kubernetes target (API test server and control plane)', () => {
  let world: EngineWorld;
  const ns = (name: 'local' | 'staging') => `${cluster.namespace}-${name}`;
  const makeWorld = () => {
    const target = (name: 'local' | 'staging') =>
      createKubeTarget({
        environment: name,
        context: cluster.context,
        namespace: ns(name),
        createNamespace: true,
        kubeconfigPath: cluster.kubeconfig,
        pollIntervalMs: 50,
        retry: { attempts: 4, baseDelayMs: 20 },
      });
    const targets = { local: target('local'), staging: target('staging') };
    world = {
      builder: new NamedImages(),
      images: { imageId: async (ref) => idOf(ref) },
      lock,
      ports: { ...targets },
      recorders: [],
      manifestsDir: (service) => path.join(ROOT, 'examples/shop/services', service, 'deploy'),
    };
    return targets;
  };
  /** Each Deployment's pod template as the cluster holds it (the controller's hash label left out). */
  const templates = async (name: 'local' | 'staging') => {
    const out: Record<string, unknown> = {};
    for (const service of SERVICES) {
      const deployment = JSON.parse(await cluster.kubectl('get', 'deployment', service, '-n', ns(name), '-o', 'json')) as { spec: { template: { metadata: { labels?: Record<string, string> } } } };
      delete deployment.spec.template.metadata.labels?.['pod-template-hash'];
      out[service] = deployment.spec.template;
    }
    return out;
  };

  it('takes v1 through local and staging in waves, with approval', async () => {
    makeWorld();
    const approver = new FakeApprover();
    const report = await release(world, { id: 'k1', version: 'v1', approver }).done;
    expect(report.cause).toBeNull();
    expect(report.state).toBe('succeeded');
    expect(report.environments.map((e) => [e.name, e.state, e.waves])).toEqual([
      ['local', 'succeeded', [['catalog-api', 'orders-api'], ['storefront']]],
      ['staging', 'succeeded', [['catalog-api', 'orders-api'], ['storefront']]],
    ]);
    expect(report.environments[1]!.approval).toMatchObject({ state: 'approved', by: 'alice' });
    const images = await cluster.kubectl('get', 'deployments', '-n', ns('staging'), '-o', 'jsonpath={.items[*].spec.template.spec.containers[0].image}');
    expect(images.split(' ').sort()).toEqual(['shop/catalog-api:v1', 'shop/orders-api:v1', 'shop/storefront:v1']);
    // Deploy metadata on every object: project label, release and commit annotations.
    const meta = JSON.parse(await cluster.kubectl('get', 'deployment', 'storefront', '-n', ns('staging'), '-o', 'json')) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
    expect(meta.metadata.labels['convoy.dev/project']).toBe('storefront');
    expect(meta.metadata.annotations).toMatchObject({ 'convoy.dev/release': 'k1', 'convoy.dev/commit': 'c0ffee' });
  });

  it('a re-release of the same commit applies nothing', async () => {
    const targets = makeWorld();
    const before = await templates('staging');
    const report = await release(world, { id: 'k2', version: 'v1' }).done;
    expect(report.state).toBe('succeeded');
    expect(report.applies).toBe(0);
    expect(report.environments.map((e) => e.state)).toEqual(['unchanged', 'unchanged']);
    expect(await templates('staging')).toEqual(before);
    expect((await snapshot(targets.local)).every((s) => s.state === 'ready')).toBe(true);
  });

  it('rolls a failing second wave back in reverse order: every pod template is as before', async () => {
    const targets = makeWorld();
    const before = await templates('local');
    const status = await snapshot(targets.local);
    const report = await release(world, { id: 'k3', version: 'v2', to: 'local', variants: { storefront: 'broken' } }).done;
    expect(report.state).toBe('rolled-back');
    expect(report.cause?.message).toContain('ImagePullBackOff');
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'rolled-back'],
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(await templates('local')).toEqual(before);
    expect(await snapshot(targets.local)).toEqual(status);
  });

  it('removes a service the failed release introduced: its Deployment, ReplicaSets, pods and Service are gone', async () => {
    // A namespace of its own, where storefront has never run.
    const namespace = `${cluster.namespace}-fresh`;
    const target = createKubeTarget({
      environment: 'fresh',
      context: cluster.context,
      namespace,
      createNamespace: true,
      kubeconfigPath: cluster.kubeconfig,
      pollIntervalMs: 50,
      retry: { attempts: 4, baseDelayMs: 20 },
    });
    makeWorld();
    world.ports = { local: target, staging: target };
    const first = await release(world, { id: 'k7', version: 'v1', to: 'local', services: ['catalog-api', 'orders-api'] }).done;
    expect(first.state).toBe('succeeded');
    const status = await snapshot(target);
    expect(status.find((s) => s.service === 'storefront')).toMatchObject({ state: 'missing' });

    const report = await release(world, { id: 'k8', version: 'v2', to: 'local', variants: { storefront: 'broken' } }).done;

    expect(report.state).toBe('rolled-back');
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'removed'],
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(report.environments[0]!.rollbacks[0]!.message).toContain(`removed Deployment ${namespace}/storefront, Service ${namespace}/storefront`);
    expect(await snapshot(target)).toEqual(status);
    const left = await cluster.kubectl('get', 'deployments,replicasets,pods,services', '-n', namespace, '-l', 'convoy.dev/project=storefront', '-o', 'name');
    expect(left.trim()).toBe('');
    // The same selector does find what a service that stays has (so the empty answer above means gone).
    const kept = await cluster.kubectl('get', 'deployments,replicasets,pods,services', '-n', namespace, '-l', 'convoy.dev/project=orders-api', '-o', 'name');
    expect(kept).toMatch(/deployment\.apps\/orders-api/);
    expect(kept).toMatch(/pod\//);
    const images = await cluster.kubectl('get', 'deployments', '-n', namespace, '-o', 'jsonpath={.items[*].spec.template.spec.containers[0].image}');
    expect(images.split(' ').sort()).toEqual(['shop/catalog-api:v1', 'shop/orders-api:v1']);
  });

  it('cancelled mid-wave: nothing new starts and what changed is rolled back', async () => {
    const targets = makeWorld();
    const before = await templates('local');
    const controller = new AbortController();
    world.ports.local = Object.assign(Object.create(targets.local) as DeployTargetPort, {
      apply: async (...args: Parameters<DeployTargetPort['apply']>) => {
        const result = await targets.local.apply(...args);
        controller.abort();
        return result;
      },
    });
    const report = await release(world, { id: 'k4', version: 'v2', to: 'local', signal: controller.signal }).done;
    expect(report.state).toBe('cancelled');
    expect(report.environments[0]!.services.find((s) => s.service === 'storefront')?.outcome).toBe('not-started');
    expect(report.environments[0]!.rollbacks.every((r) => r.outcome === 'rolled-back')).toBe(true);
    expect(await templates('local')).toEqual(before);
  });

  it('refuses a second release while the first holds the environments, naming it', async () => {
    makeWorld();
    const approver = new FakeApprover('hold');
    const first = release(world, { id: 'k5', version: 'v2', approver });
    await approver.waiting();
    const err = await release(world, { id: 'k6', version: 'v2', to: 'local' }).done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvoyError);
    expect((err as ConvoyError).code).toBe('ENVIRONMENT_BUSY');
    expect((err as ConvoyError).message).toContain('k5');
    approver.decide({ decision: 'approved', by: 'alice', at: new Date().toISOString(), comment: null });
    expect((await first.done).state).toBe('succeeded');
  });
});
