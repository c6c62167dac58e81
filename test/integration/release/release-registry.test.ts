// Images reach the clusters (issue 16): the release engine on two Kubernetes environments (the API
// test server, two namespaces) with real distribution registries. The images are small real ones
// (busybox committed with a label per service and version) named as the example's manifests name
// them, so the cluster gets `registry/prefix/shop/<service>@sha256:…`. The test server's pods fail
// with ImagePullBackOff when their digest is not in the registry's storage — the check a real
// kubelet makes by pulling. The pull cases also run on the real control plane, whose pod simulator
// asks the registry for the manifest, in release-registry-pull.test.ts; this file's push faults
// (a proxy, an authenticated registry) stay on the test server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageInspector } from '../../../electron/adapters/docker/image-inspector.js';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { createImageRegistry } from '../../../electron/adapters/registry/image-registry.js';
import type { ImageRegistryPort, PushRetry } from '../../../electron/core/ports/image-registry.js';
import { requireDocker, skipDocker } from '../../support/docker-engine.js';
import { CommittedImages, type RegistryProxy, type TestRegistry, dockerConfigWith, requireRegistry, skipRegistry, startRegistry, startRegistryProxy } from '../../support/registry.js';
import { type EngineWorld, SERVICES, release } from '../../support/release-world.js';
import { REAL, ROOT, startCluster, type TestCluster } from '../kube/cluster.js';

const run = Math.random().toString(36).slice(2, 8);
const USER = { username: 'convoy', password: `pw-${run}-registry` };

const retries: number[] = [];
const noWait: PushRetry = { attempts: 3, delayMs: (attempt) => 1000 * attempt, wait: async (ms) => void retries.push(ms) };

let cluster: TestCluster;
let registryA: TestRegistry;
let registryB: TestRegistry;
let proxy: RegistryProxy;
const builder = new CommittedImages(run);
const storeDir = mkdtempSync(path.join(tmpdir(), 'convoy-release-registry-'));
let config: { dir: string; remove(): void };
let port: ImageRegistryPort;

describe.skipIf(REAL || skipDocker || skipRegistry)('releases through registries, by digest (API test server, distribution registry)', () => {
  const ns = (name: 'local' | 'staging') => `${cluster.namespace}-${name}`;
  const world = (registries: EngineWorld['registries'], over: Partial<EngineWorld> = {}): EngineWorld => {
    const target = (name: 'local' | 'staging') =>
      createKubeTarget({ environment: name, context: cluster.context, namespace: ns(name), createNamespace: true, kubeconfigPath: cluster.kubeconfig, pollIntervalMs: 50, retry: { attempts: 4, baseDelayMs: 20 } });
    return {
      builder,
      images: createImageInspector(),
      lock: { hold: (_env, _id, work) => work() },
      ports: { local: target('local'), staging: target('staging') },
      recorders: [],
      manifestsDir: (service) => path.join(ROOT, 'examples/shop/services', service, 'deploy'),
      registries,
      registry: port,
      pushRetry: noWait,
      ...over,
    };
  };
  const deployed = async (name: 'local' | 'staging') => {
    const out = await cluster.kubectl('get', 'deployments', '-n', ns(name), '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.template.spec.containers[0].image}{"\\n"}{end}');
    return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((line) => line.split('=') as [string, string]));
  };

  beforeAll(async () => {
    requireDocker();
    requireRegistry();
    cluster = await startCluster('convoy-registry');
    registryA = await startRegistry({ auth: USER });
    registryB = await startRegistry();
    proxy = await startRegistryProxy(registryB.host);
    config = dockerConfigWith({ [registryA.host]: USER });
    port = createImageRegistry({ env: { ...process.env, DOCKER_CONFIG: config.dir }, remember: () => {} });
    // The pod simulator pulls: a digest reference its registry does not hold backs off.
    const registries = [registryA, registryB];
    cluster.server!.faults.failImages((image) => {
      if (!image.includes('@sha256:')) return false;
      const host = image.slice(0, image.indexOf('/'));
      const holder = host === proxy.host ? registryB : registries.find((r) => r.host === host);
      return !holder?.holds(image.replace(proxy.host, registryB.host));
    }, 'ImagePullBackOff');
  });
  afterAll(async () => {
    await builder.remove();
    await cluster?.close();
    await proxy?.stop();
    await registryA?.stop();
    await registryB?.stop();
    config?.remove();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('two environments on one registry: one push per image, both run the same digests', async () => {
    const w = world({ local: `${registryA.host}/convoy`, staging: `${registryA.host}/convoy` });
    const { recorder, done } = release(w, { id: 'g1', version: 'v1' });
    const report = await done;
    expect(report.cause).toBeNull();
    expect(report.state).toBe('succeeded');
    expect(report.pushes.map((p) => [p.service, p.outcome, p.environments])).toEqual(SERVICES.map((s) => [s, 'pushed', ['local', 'staging']]));
    expect(recorder.steps.filter((s) => s.kind === 'image.push').map((s) => [s.target, s.ok])).toEqual(SERVICES.map((s) => [`${registryA.host}/convoy/shop/${s}`, true]));
    // The local registry tag each push makes is journaled as a step of its own (issue 13), with the image's content tag.
    const imageOf = new Map(report.images.map((i) => [i.service, i.image!]));
    expect(recorder.steps.filter((s) => s.kind === 'image.tag').map((s) => [s.target, s.ok])).toEqual(SERVICES.map((s) => [`${registryA.host}/convoy/shop/${s}:${imageOf.get(s)!.split(':').at(-1)}`, true]));
    const local = await deployed('local');
    const staging = await deployed('staging');
    expect(staging).toEqual(local);
    for (const push of report.pushes) {
      expect(local[push.service]).toBe(`${registryA.host}/convoy/shop/${push.service}@${push.digest}`);
      expect(registryA.holds(local[push.service]!)).toBe(true);
    }
    // The tag stays on the objects for people.
    const meta = JSON.parse(await cluster.kubectl('get', 'deployment', 'storefront', '-n', ns('staging'), '-o', 'json')) as { metadata: { annotations: Record<string, string> } };
    expect(meta.metadata.annotations['convoy.dev/image-tag']).toBe(`shop/storefront:reg-${run}-v1`);
    // The gate compared the digest, not a tag.
    expect(report.environments[0]!.gates?.results.find((r) => r.gate === 'testedImages')).toMatchObject({ enabled: true, violations: [] });
  });

  it('a second release pushes nothing and applies nothing', async () => {
    const { recorder, done } = release(world({ local: `${registryA.host}/convoy`, staging: `${registryA.host}/convoy` }), { id: 'g2', version: 'v1' });
    const report = await done;
    expect(report.state).toBe('succeeded');
    expect(report.pushes.map((p) => p.outcome)).toEqual(['present', 'present', 'present']);
    expect(recorder.steps.filter((s) => s.kind === 'image.push')).toEqual([]);
    expect(report.applies).toBe(0);
  });

  it('a different registry in the next environment gets the same digests copied, nothing rebuilt', async () => {
    const before = await deployed('local');
    const builds = builder.builds;
    const report = await release(world({ local: `${registryA.host}/convoy`, staging: `${registryB.host}/mirror` }), { id: 'g3', version: 'v1' }).done;
    expect(report.cause).toBeNull();
    expect(builder.builds).toBe(builds);
    const copied = report.pushes.filter((p) => p.registry === `${registryB.host}/mirror`);
    expect(copied.map((p) => p.outcome)).toEqual(['pushed', 'pushed', 'pushed']);
    const staging = await deployed('staging');
    for (const service of SERVICES) {
      const digest = before[service]!.split('@')[1];
      expect(staging[service]).toBe(`${registryB.host}/mirror/shop/${service}@${digest}`);
      expect(registryB.holds(staging[service]!)).toBe(true);
    }
    expect(await deployed('local')).toEqual(before);
  });

  it('a transient 500 is retried after the backoff, each attempt in the journal', async () => {
    let failures = 0;
    proxy.rule = ({ method, path: p }) => (method === 'PUT' && p.includes('/manifests/') && failures++ === 0 ? { status: 500 } : null);
    retries.length = 0;
    const { recorder, done } = release(world({ local: `${registryA.host}/convoy`, staging: `${proxy.host}/flaky` }), { id: 'g4', version: 'v1' });
    const report = await done;
    proxy.rule = () => null;
    expect(report.cause).toBeNull();
    expect(report.state).toBe('succeeded');
    const steps = recorder.steps.filter((s) => s.kind === 'image.push');
    expect(steps.map((s) => s.ok)).toEqual([false, true, true, true]);
    expect(retries).toEqual([1000]);
    expect(recorder.events.filter((e) => e.name === 'release.pushRetry').map((e) => (e.payload as { error: { message: string } }).error.message)).toEqual([expect.stringContaining('500')]);
    expect(report.pushes.find((p) => p.registry === `${proxy.host}/flaky` && p.service === steps[0]!.target.split('/').pop())?.attempts).toBe(2);
  });

  it('a repository the registry refuses (403) is a recorded, unretried failure; nothing is applied', async () => {
    proxy.rule = ({ method, path: p }) => (method === 'PUT' && p.includes('/manifests/') ? { status: 403, body: JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }) } : null);
    try {
      const before = await deployed('local');
      const { recorder, done } = release(world({ local: `${proxy.host}/locked` }), { id: 'g7', version: 'v4', to: 'local' });
      const report = await done;
      expect(report.state).toBe('failed');
      expect(report.cause?.code).toBe('IMAGE_PUSH_FAILED');
      expect(report.cause?.message).toContain(`push of ${proxy.host}/locked/shop/catalog-api to registry ${proxy.host} failed: the registry refused this repository`);
      expect(recorder.steps.filter((s) => s.kind === 'image.push').map((s) => [s.target, s.ok])).toEqual([[`${proxy.host}/locked/shop/catalog-api`, false]]);
      expect(report.applies).toBe(0);
      expect(await deployed('local')).toEqual(before);
    } finally {
      proxy.rule = () => null;
    }
  });

  it.each([
    ['a wrong password (401)', () => dockerConfigWith({ [registryA.host]: { username: USER.username, password: 'wrong' } }), () => `${registryA.host}/convoy`, /refused the credentials/],
    ['no credentials for a registry that requires them', () => dockerConfigWith({}), () => `${registryA.host}/convoy`, /requires credentials and Docker has none/],
    ['a registry that is down', () => dockerConfigWith({}), () => '127.0.0.1:1/down', /is unreachable/],
  ])('%s fails the push stage before anything is applied', async (_name, makeConfig, registry, message) => {
    const bad = makeConfig();
    try {
      const before = { local: await deployed('local'), staging: await deployed('staging') };
      const badPort = createImageRegistry({ env: { ...process.env, DOCKER_CONFIG: bad.dir }, remember: () => {} });
      const report = await release(world({ local: registry(), staging: registry() }, { registry: badPort }), { id: `g5-${run}`, version: 'v2' }).done;
      expect(report.state).toBe('failed');
      expect(report.cause?.code).toBe('IMAGE_PUSH_FAILED');
      expect(report.cause?.message).toMatch(message);
      expect(report.stages.find((s) => s.name === 'push')?.state).toBe('failed');
      expect(report.environments.map((e) => e.state)).toEqual(['pending', 'pending']);
      expect(report.applies).toBe(0);
      expect({ local: await deployed('local'), staging: await deployed('staging') }).toEqual(before);
    } finally {
      bad.remove();
    }
  });

  it('a release whose push never reached the registry ends in ImagePullBackOff and rolls back', async () => {
    const before = await deployed('local');
    // A pusher that claims success without pushing: the cluster cannot pull what is not there.
    const forgetful: ImageRegistryPort = {
      check: async () => {},
      knownDigests: async () => [],
      hasManifest: async () => true,
      push: async () => ({ digest: `sha256:${'e'.repeat(64)}` }),
    };
    const report = await release(world({ local: `${registryA.host}/convoy` }, { registry: forgetful }), { id: 'g6', version: 'v3', to: 'local' }).done;
    expect(report.state).toBe('rolled-back');
    expect(report.cause?.message).toContain('ImagePullBackOff');
    expect(report.environments[0]!.rollbacks.every((r) => r.outcome === 'rolled-back')).toBe(true);
    expect(await deployed('local')).toEqual(before);
  });
});
