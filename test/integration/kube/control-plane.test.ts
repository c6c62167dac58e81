// On the real control plane only (kube-apiserver, kube-controller-manager, etcd; see test/kube-cluster):
// - a release of the example shop to a namespace rolls out through the real deployment controller,
//   `kubectl rollout history` shows its revisions, and Convoy's rollback leaves the Deployment exactly
//   as `kubectl rollout undo` leaves its twin in another namespace;
// - a service account whose Role lacks `patch deployments` gets Convoy's clear 403 message, nothing is
//   applied, and `kubectl auth can-i` agrees;
// - an image on a registry at 127.0.0.1 runs when its manifest is there and backs off when it is not.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import { BACKEND, exampleUnit, startCluster, targetConfig, type TestCluster } from './cluster.js';

const run = promisify(execFile);
const SERVICES = ['orders-api', 'catalog-api', 'storefront'];
const units = (version: string) => SERVICES.map((s) => exampleUnit(s, `shop/${s}:${version}`, `rel-${version}`));

let cluster: TestCluster;
beforeAll(async () => {
  if (BACKEND === 'control-plane') cluster = await startCluster('convoy-cp');
});
afterAll(async () => {
  await cluster?.close();
});

interface LiveDeployment {
  metadata: { annotations: Record<string, string>; generation: number };
  spec: { replicas: number; template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: { containers: Array<{ image: string }> } } };
  status: { updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number };
}

describe.skipIf(BACKEND !== 'control-plane').sequential('the example on the real control plane', () => {
  const convoyNs = () => `${cluster.namespace}-convoy`;
  const kubectlNs = () => `${cluster.namespace}-kubectl`;
  let convoy: DeployTargetPort;
  let twin: DeployTargetPort;

  const live = async (ns: string, name: string) => JSON.parse(await cluster.kubectl('get', 'deployment', name, '-n', ns, '-o', 'json')) as LiveDeployment;

  it('releases v1 then v2 of every service; the deployment controller rolls each out and records both revisions', async () => {
    convoy = createKubeTarget(targetConfig(cluster, { namespace: convoyNs() }));
    twin = createKubeTarget(targetConfig(cluster, { namespace: kubectlNs() }));
    for (const target of [convoy, twin]) {
      await target.apply(units('v1'));
      expect((await target.waitReady(units('v1'), { deadlineMs: 120_000 })).map((s) => [s.service, s.state, s.revision])).toEqual(SERVICES.map((s) => [s, 'ready', '1']));
      await target.apply(units('v2'));
      expect((await target.waitReady(units('v2'), { deadlineMs: 120_000 })).map((s) => [s.service, s.state, s.revision, s.image])).toEqual(
        SERVICES.map((s) => [s, 'ready', '2', `shop/${s}:v2`]),
      );
    }
    for (const service of SERVICES) {
      const history = await cluster.kubectl('rollout', 'history', `deployment/${service}`, '-n', convoyNs());
      expect(history.split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/)[0])).toEqual(['1', '2']);
      // The ReplicaSets are the controller's own: one per template, numbered by it.
      const sets = JSON.parse(await cluster.kubectl('get', 'replicasets', '-n', convoyNs(), '-l', `app.kubernetes.io/name=${service}`, '-o', 'json')) as {
        items: Array<{ metadata: { annotations: Record<string, string>; ownerReferences: Array<{ kind: string; name: string }> } }>;
      };
      expect(sets.items.map((rs) => rs.metadata.annotations['deployment.kubernetes.io/revision']).sort()).toEqual(['1', '2']);
      expect(sets.items.every((rs) => rs.metadata.ownerReferences[0]?.kind === 'Deployment' && rs.metadata.ownerReferences[0]?.name === service)).toBe(true);
      const deployment = await live(convoyNs(), service);
      const replicas = deployment.spec.replicas;
      expect(replicas).toBeGreaterThan(0);
      expect(deployment.status).toMatchObject({ updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas });
    }
  });

  it("rolls back with Convoy exactly as `kubectl rollout undo` does to the twin", async () => {
    for (const service of SERVICES) {
      await expect(convoy.rollback(service)).resolves.toMatchObject({ service, from: '2', to: '1' });
      await cluster.kubectl('rollout', 'undo', `deployment/${service}`, '-n', kubectlNs());
    }
    await convoy.waitReady(units('v1'), { deadlineMs: 120_000 });
    await twin.waitReady(units('v1'), { deadlineMs: 120_000 });
    for (const service of SERVICES) {
      const [ours, theirs] = [await live(convoyNs(), service), await live(kubectlNs(), service)];
      expect(ours.spec.template).toEqual(theirs.spec.template);
      expect(ours.spec.template.spec.containers[0]?.image).toBe(`shop/${service}:v1`);
      expect(ours.metadata.annotations['deployment.kubernetes.io/revision']).toBe(theirs.metadata.annotations['deployment.kubernetes.io/revision']);
      expect(ours.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
      const rows = async (ns: string) =>
        (await cluster.kubectl('rollout', 'history', `deployment/${service}`, '-n', ns)).split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/)[0]);
      expect(await rows(convoyNs())).toEqual(await rows(kubectlNs()));
      expect(await rows(convoyNs())).toEqual(['2', '3']);
      const revisions = await convoy.revisions(service);
      expect(revisions.map((r) => [r.revision, r.image, r.current])).toEqual([
        ['3', `shop/${service}:v1`, true],
        ['2', `shop/${service}:v2`, false],
      ]);
    }
  });
});

describe.skipIf(BACKEND !== 'control-plane')('RBAC on the real control plane', () => {
  it('refuses a service account without patch on deployments with a clear 403, applies nothing, and kubectl auth can-i agrees', async () => {
    const ns = `${cluster.namespace}-rbac`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'convoy-rbac-'));
    const manifest = path.join(dir, 'rbac.yaml');
    writeFileSync(
      manifest,
      [
        `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
        `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer\n  namespace: ${ns}\n`,
        // Everything a release needs except patch (and create/update) on deployments.
        `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: no-deployments\n  namespace: ${ns}\nrules:\n` +
          `- apiGroups: ["", "apps"]\n  resources: ["*"]\n  verbs: ["get", "list", "watch"]\n` +
          `- apiGroups: [""]\n  resources: ["services", "configmaps"]\n  verbs: ["create", "patch", "update"]\n`,
        `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployer\n  namespace: ${ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: no-deployments\nsubjects:\n- kind: ServiceAccount\n  name: deployer\n  namespace: ${ns}\n`,
      ].join('---\n'),
    );
    await cluster.kubectl('apply', '-f', manifest);
    const token = (await cluster.kubectl('create', 'token', 'deployer', '-n', ns, '--duration=1h')).trim();
    const kubeconfig = path.join(dir, 'deployer.kubeconfig');
    writeFileSync(kubeconfig, readFileSync(cluster.kubeconfig, 'utf8').replace(/token: .*/, `token: ${token}`), { mode: 0o600 });

    const canI = async (...args: string[]) => {
      const out = await run(cluster.kubectlBin, ['--context', cluster.context, 'auth', 'can-i', ...args, '-n', ns], { env: { ...process.env, KUBECONFIG: kubeconfig } }).catch(
        (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
      );
      return out.stdout.trim();
    };
    expect(await canI('patch', 'deployments.apps')).toBe('no');
    expect(await canI('patch', 'services')).toBe('yes');

    const target = createKubeTarget(targetConfig(cluster, { namespace: ns, createNamespace: false, kubeconfigPath: kubeconfig }));
    const error = await target.apply([exampleUnit('orders-api', 'shop/orders-api:v1', 'rel-1')]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'KUBE_AUTH',
      message: expect.stringMatching(new RegExp(`Deployment ${ns}/orders-api .*lacks permission to patch deployments\\.apps in namespace ${ns} \\(403; .kubectl auth can-i patch deployments\\.apps -n ${ns}. answers no`)),
    });
    expect((error as Error).message).toContain('Nothing was applied');
    // The Service ahead of it in apply order (which the account may patch) was not applied either.
    expect((await cluster.kubectl('get', 'services,deployments,replicasets,pods', '-n', ns, '-o', 'name')).trim()).toBe('');
  });
});

describe.skipIf(BACKEND !== 'control-plane')('pulls from a registry on this machine (pod simulator registry check)', () => {
  it('runs an image whose manifest the registry has, and backs off on one it lacks', async () => {
    // A stand-in registry that knows one manifest: HEAD /v2/shop/pulled/manifests/v1.
    const asked: string[] = [];
    const registry = createServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.writeHead(req.method === 'HEAD' && req.url === '/v2/shop/pulled/manifests/v1' ? 200 : 404).end();
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(registry.address() as { port: number }).port}`;
    try {
      const target = createKubeTarget(targetConfig(cluster, { namespace: `${cluster.namespace}-pull` }));
      const present = exampleUnit('orders-api', `${host}/shop/pulled:v1`, 'rel-pull-1');
      await target.apply([present]);
      await expect(target.waitReady([present], { deadlineMs: 60_000 })).resolves.toEqual([expect.objectContaining({ state: 'ready', image: `${host}/shop/pulled:v1` })]);
      const missing = exampleUnit('catalog-api', `${host}/shop/pulled:v2`, 'rel-pull-2');
      await target.apply([missing]);
      const error = await target.waitReady([missing], { deadlineMs: 60_000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ROLLOUT_FAILED', message: expect.stringMatching(/catalog-api: pod catalog-api-[\w-]+, container catalog-api: ImagePullBackOff/) });
      expect(asked).toContain('HEAD /v2/shop/pulled/manifests/v2');
    } finally {
      registry.close();
    }
  });
});
