// target.status, target.revisions and target.rollback through the contract and the CLI, on a copy of
// the example workspace whose convoy.yaml points `staging` at the Kubernetes API test server.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../electron/app.js';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { createClient } from '../../../shared/client.js';
import { startCluster, type TestCluster } from '../kube/cluster.js';
import { exampleShopFiles } from '../../support/example-shop.js';
import { type TestWorkspace, createWorkspace, removeWorkspaces } from '../affected/fixtures.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(REPO, 'bin', 'convoy.mjs');

let cluster: TestCluster;
let ws: TestWorkspace;
let app: App;
let tmp: string;

function convoy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args, '--data', path.join(tmp, 'cli-data')], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const unit = (image: string, releaseId: string) => ({
  service: 'orders-api',
  image,
  releaseId,
  commit: `c-${releaseId}`,
  manifestsDir: path.join(ws.dir, 'services', 'orders-api', 'deploy'),
  port: null,
  health: null,
  env: {},
});

beforeAll(async () => {
  // The test server, the real control plane or a user's cluster (see ../kube/cluster.ts).
  cluster = await startCluster('convoy-target-ops');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-target-ops-'));
  const { kubeconfig, context, namespace } = cluster;
  ws = createWorkspace('target-ops', {
    ...exampleShopFiles(),
    'convoy.yaml': [
      'environments:',
      '  - name: staging',
      `    target: { kind: kubernetes, context: ${context}, namespace: ${namespace}, createNamespace: true, kubeconfig: ${JSON.stringify(kubeconfig)} }`,
      '',
    ].join('\n'),
    // A service whose Dockerfile is not at its root: deployable through its convoy block.
    'services/edge/package.json': JSON.stringify({ name: '@shop/edge', nx: { name: 'edge' }, convoy: { image: 'shop/edge', dockerfile: 'docker/Dockerfile' } }),
    'services/edge/docker/Dockerfile': 'FROM busybox:1.36.1\n',
  });
  app = createApp({ dataDir: path.join(tmp, 'data') });
  // Two releases of orders-api, deployed straight through the target.
  const target = createKubeTarget({ environment: 'staging', context, namespace, createNamespace: true, kubeconfigPath: kubeconfig, pollIntervalMs: 50 });
  for (const [image, release] of [['shop/orders-api:v1', 'rel-1'], ['shop/orders-api:v2', 'rel-2']] as const) {
    await target.apply([unit(image, release)]);
    await target.waitReady([unit(image, release)], { deadlineMs: 20_000 });
  }
});

afterAll(async () => {
  await app?.close();
  await cluster?.close();
  removeWorkspaces();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe.sequential('environments of convoy.yaml through the contract', () => {
  it('target.status lists every deployable service with its state, revision and image', async () => {
    const status = await createClient(app.channel()).run('target.status', { dir: ws.dir, environment: 'staging' });
    expect(status.environment).toBe('staging');
    expect(status.kind).toBe('kubernetes');
    expect(status.services.map((s) => [s.service, s.state, s.revision, s.image])).toEqual([
      ['catalog-api', 'missing', null, null],
      ['edge', 'missing', null, null],
      ['orders-api', 'ready', '2', 'shop/orders-api:v2'],
      ['storefront', 'missing', null, null],
    ]);
  });

  it('target.revisions lists orders-api newest first with release and commit', async () => {
    const result = await createClient(app.channel()).run('target.revisions', { dir: ws.dir, environment: 'staging', service: 'orders-api' });
    expect(result.revisions.map((r) => [r.revision, r.image, r.releaseId, r.commit, r.current])).toEqual([
      ['2', 'shop/orders-api:v2', 'rel-2', 'c-rel-2', true],
      ['1', 'shop/orders-api:v1', 'rel-1', 'c-rel-1', false],
    ]);
  });

  it('target.rollback goes back to the previous revision and records it in the history store', async () => {
    const result = await createClient(app.channel()).run('target.rollback', { dir: ws.dir, environment: 'staging', service: 'orders-api' });
    expect(result).toEqual({ environment: 'staging', service: 'orders-api', from: '2', to: '1', current: null });
    const deployment = JSON.parse(await cluster.kubectl('get', 'deployment', 'orders-api', '-n', cluster.namespace, '-o', 'json')) as {
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(deployment.spec.template.spec.containers[0]!.image).toBe('shop/orders-api:v1');
    // A run of kind rollback, holding the rollback's events.
    const [run] = app.store.listRuns({ limit: 5, kind: 'rollback' });
    expect(run).toMatchObject({ environment: 'staging', status: 'succeeded' });
    expect(app.store.getLease('staging')).toBeNull();
    const events = app.store.listEvents(run!.id).filter((e) => e.name.startsWith('target.rollback'));
    expect(events.map((e) => e.name)).toEqual(['target.rollback.started', 'target.rollback.finished']);
    expect(events[1]!.payload).toMatchObject({ environment: 'staging', service: 'orders-api', ok: true, from: '2', to: '1' });
    // The CLI checks below read the rolled-back state: on a real cluster the rollout takes a moment.
    const target = createKubeTarget({ environment: 'staging', context: cluster.context, namespace: cluster.namespace, kubeconfigPath: cluster.kubeconfig, pollIntervalMs: 50 });
    await target.waitReady([unit('shop/orders-api:v1', 'rel-1')], { deadlineMs: 60_000 });
  });

  it('refuses an environment convoy.yaml does not name, listing the ones it does', async () => {
    await expect(createClient(app.channel()).run('target.status', { dir: ws.dir, environment: 'prod' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/No environment "prod" in .*convoy\.yaml; its environments are: staging/),
    });
  });
});

describe('the same through the CLI', () => {
  it('convoy status prints a table; convoy revisions marks the current one', async () => {
    const status = await convoy(['status', '-e', 'staging', '-w', ws.dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^staging \(kubernetes\): 4 service\(s\)/);
    expect(status.stdout).toMatch(/^orders-api\s+ready\s+3\s+shop\/orders-api:v1/m);
    const revisions = await convoy(['revisions', '-e', 'staging', '-w', ws.dir, '--service', 'orders-api']);
    expect(revisions.code).toBe(0);
    expect(revisions.stdout).toMatch(/^3\s+current\s+shop\/orders-api:v1\s+rel-1/m);
  });

  it('convoy rollback to an unknown revision exits 1 naming the known ones; an unknown environment exits 2', async () => {
    const refused = await convoy(['rollback', '-e', 'staging', '-w', ws.dir, '--service', 'orders-api', '--to', '42']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ROLLBACK_REFUSED/);
    expect(refused.stderr).toMatch(/3, 2/);
    const unknown = await convoy(['status', '-e', 'nope', '-w', ws.dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('its environments are: staging');
  });
});
