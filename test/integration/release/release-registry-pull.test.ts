// Images reach the clusters (issue 16) on both Kubernetes backends: the release engine takes the example
// to two Kubernetes environments (two namespaces) whose clusters pull from a real distribution
// registry (Debian's docker-registry on 127.0.0.1), deploying by digest. On the real control plane
// the pod simulator asks the registry for each pod's manifest (HEAD /v2/<repo>/manifests/<digest>, its
// registryCheck) and reports ImagePullBackOff when the registry lacks it, as a kubelet's pull fails;
// on the API test server the pods back off when the registry's storage lacks the digest.
// The registry takes anonymous pulls: the simulator has no imagePullSecrets (the push faults, auth
// included, are in release-registry.test.ts, on the test server).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageInspector } from '../../../electron/adapters/docker/image-inspector.js';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { createImageRegistry } from '../../../electron/adapters/registry/image-registry.js';
import type { DeployTargetPort, DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { requireDocker, skipDocker } from '../../support/docker-engine.js';
import { CommittedImages, type TestRegistry, dockerConfigWith, requireRegistry, skipRegistry, startRegistry } from '../../support/registry.js';
import { type EngineWorld, SERVICES, release } from '../../support/release-world.js';
import { FAULTS, REAL, ROOT, startCluster, type TestCluster } from '../kube/cluster.js';

const run = Math.random().toString(36).slice(2, 8);
const builder = new CommittedImages(run);
let cluster: TestCluster;
let registry: TestRegistry;
let config: { dir: string; remove(): void };

type Env = 'local' | 'staging';

interface LivePod {
  metadata: { labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: Array<{ image: string }> };
  status: { phase?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ state?: Record<string, { reason?: string; message?: string }> }> };
}

describe.skipIf(!FAULTS || skipDocker || skipRegistry)(`releases pulled from a registry, by digest (${REAL ? 'real control plane, pod simulator registry check' : 'API test server'})`, () => {
  const ns = (name: Env) => `${cluster.namespace}-${name}`;
  const world = (over: Partial<EngineWorld> = {}): EngineWorld => {
    const target = (name: Env) =>
      createKubeTarget({ environment: name, context: cluster.context, namespace: ns(name), createNamespace: true, kubeconfigPath: cluster.kubeconfig, pollIntervalMs: 50, retry: { attempts: 4, baseDelayMs: 20 } });
    return {
      builder,
      images: createImageInspector(),
      lock: { hold: (_env, _id, work) => work() },
      ports: { local: target('local'), staging: target('staging') },
      recorders: [],
      manifestsDir: (service) => path.join(ROOT, 'examples/shop/services', service, 'deploy'),
      registries: { local: `${registry.host}/convoy`, staging: `${registry.host}/convoy` },
      registry: createImageRegistry({ env: { ...process.env, DOCKER_CONFIG: config.dir }, remember: () => {} }),
      pushRetry: { attempts: 1, delayMs: () => 0, wait: async () => {} },
      ...over,
    };
  };
  /** Each Deployment's image, as the API server holds it. */
  const deployed = async (name: Env) => {
    const out = await cluster.kubectl('get', 'deployments', '-n', ns(name), '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.template.spec.containers[0].image}{"\\n"}{end}');
    return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((line) => line.split('=') as [string, string]));
  };
  /** The pods that run (not being deleted), per service: their image and whether they are Ready. */
  const pods = async (name: Env) => {
    const list = JSON.parse(await cluster.kubectl('get', 'pods', '-n', ns(name), '-o', 'json')) as { items: LivePod[] };
    return list.items
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => [p.metadata.labels?.['app.kubernetes.io/name'], p.spec.containers[0]!.image, p.status.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown'])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  };

  beforeAll(async () => {
    requireDocker();
    requireRegistry();
    cluster = await startCluster('convoy-pull');
    registry = await startRegistry();
    config = dockerConfigWith({});
    // On the test server the pods "pull" by reading the registry's storage; the control plane's
    // simulator asks the registry itself (its registryCheck is on for the whole test run).
    cluster.server?.faults.failImages((image) => image.startsWith(`${registry.host}/`) && !registry.holds(image), 'ImagePullBackOff');
  });
  afterAll(async () => {
    await builder.remove();
    await cluster?.close();
    await registry?.stop();
    config?.remove();
  });

  it('two environments on one registry: one push per image, both run the same digests, the pods Ready', async () => {
    const { recorder, done } = release(world(), { id: 'p1', version: 'v1' });
    const report = await done;
    expect(report.cause).toBeNull();
    expect(report.state).toBe('succeeded');
    expect(report.pushes.map((p) => [p.service, p.outcome, p.environments])).toEqual(SERVICES.map((s) => [s, 'pushed', ['local', 'staging']]));
    expect(recorder.steps.filter((s) => s.kind === 'image.push').map((s) => [s.target, s.ok])).toEqual(SERVICES.map((s) => [`${registry.host}/convoy/shop/${s}`, true]));
    const digests = Object.fromEntries(report.pushes.map((p) => [p.service, `${registry.host}/convoy/shop/${p.service}@${p.digest}`]));
    expect(Object.values(digests).every((ref) => /@sha256:[a-f0-9]{64}$/.test(ref) && registry.holds(ref))).toBe(true);
    expect(await deployed('local')).toEqual(digests);
    expect(await deployed('staging')).toEqual(digests);
    // The pods the controllers made run those digests, and the pull (the manifest check) let them start.
    const replicas = Object.fromEntries(
      (await cluster.kubectl('get', 'deployments', '-n', ns('local'), '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}')).trim().split('\n').map((l) => l.split('=')),
    ) as Record<string, string>;
    const running = SERVICES.flatMap((s) => Array.from({ length: Number(replicas[s]) }, () => [s, digests[s], 'True']));
    expect(running.length).toBeGreaterThan(SERVICES.length);
    expect(await pods('local')).toEqual(running);
    expect(await pods('staging')).toEqual(running);
  });

  it('a second release pushes nothing and applies nothing', async () => {
    const before = { local: await deployed('local'), staging: await deployed('staging') };
    const { recorder, done } = release(world(), { id: 'p2', version: 'v1' });
    const report = await done;
    expect(report.cause).toBeNull();
    expect(report.state).toBe('succeeded');
    expect(report.pushes.map((p) => p.outcome)).toEqual(['present', 'present', 'present']);
    expect(recorder.steps.filter((s) => s.kind === 'image.push')).toEqual([]);
    expect(report.applies).toBe(0);
    expect({ local: await deployed('local'), staging: await deployed('staging') }).toEqual(before);
  });

  it('a manifest gone from the registry between push and deploy: ImagePullBackOff from the pull, the wave rolled back', async () => {
    const before = await deployed('local');
    const beforePods = await pods('local');
    const w = world();
    // storefront's v2 manifest is deleted from the registry just before its apply: pushed, yet not pullable.
    const lost: string[] = [];
    const target: DeployTargetPort = w.ports.local;
    w.ports.local = Object.assign(Object.create(target) as DeployTargetPort, {
      apply: async (units: DeployUnit[], options?: Parameters<DeployTargetPort['apply']>[1]) => {
        const unit = units.find((u) => u.service === 'storefront');
        if (unit) {
          const [repository, digest] = unit.image.slice(registry.host.length + 1).split('@') as [string, string];
          const res = await fetch(`http://${registry.host}/v2/${repository}/manifests/${digest}`, { method: 'DELETE' });
          expect(res.status).toBe(202);
          lost.push(unit.image);
        }
        return target.apply(units, options);
      },
    });
    const report = await release(w, { id: 'p3', version: 'v2', to: 'local' }).done;
    expect(lost).toEqual([expect.stringMatching(new RegExp(`^${registry.host}/convoy/shop/storefront@sha256:[a-f0-9]{64}$`))]);
    expect(registry.holds(lost[0]!)).toBe(false);
    expect(report.pushes.map((p) => [p.service, p.outcome])).toEqual(SERVICES.map((s) => [s, 'pushed']));
    expect(report.state).toBe('rolled-back');
    expect(report.cause).toMatchObject({ code: 'ROLLOUT_FAILED' });
    const pulling = `Back-off pulling image "${lost[0]}"${REAL ? ': manifest unknown' : ''}`;
    expect(report.cause!.message).toMatch(new RegExp(`^Rollout failed in local: storefront: pod storefront-[a-z0-9-]+, container storefront: ImagePullBackOff — `));
    expect(report.cause!.message).toContain(pulling);
    expect(report.environments[0]!.rollbacks.map((r) => [r.service, r.outcome, r.after?.image])).toEqual(
      ['storefront', 'orders-api', 'catalog-api'].map((s) => [s, 'rolled-back', before[s]]),
    );
    expect(await deployed('local')).toEqual(before);
    expect(await pods('local')).toEqual(beforePods);
  });
});
