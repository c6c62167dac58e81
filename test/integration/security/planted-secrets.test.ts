// The planted-secret suite: one secret in every place a user puts one (build arg, test env, service
// env, URL credentials, a Bearer value, ConfigMap, Secret data and stringData, a kubeconfig token, a
// Docker registry auth), read back from every surface Convoy writes — CLI plain, --json and --logs,
// the store's files (-wal included), WebSocket frames, both targets' diffs, status, revisions and
// errors — in plain, base64 and URL-encoded forms. Zero leaks, and every surface must have produced
// output (a surface that printed nothing proves nothing). Real Docker Engine (skipped without one,
// failing under CI) and the Kubernetes API test server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../electron/app.js';
import { runCli } from '../../../electron/cli/main.js';
import { defaultCliContext } from '../../../electron/cli/context.js';
import { loadProjectSetup } from '../../../electron/adapters/config/load-config.js';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { toDeployUnit } from '../../../electron/core/deploy-units.js';
import type { DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { startServer, type RunningServer } from '../../../electron/transports/ws/ws-server.js';
import { loadWorkspaceConfig } from '../../../electron/adapters/config/load-config.js';
import { createTargetFor } from '../../../electron/adapters/targets/target-factory.js';
import type { BuildReport } from '../../../shared/domain.js';
import { type KubeApiServer, startKubeApiServer } from '../../kube-api-server/index.js';
import { docker, requireDocker, skipDocker, snapshotImages } from '../../support/docker-engine.js';
import { type TestWorkspace, createWorkspace, removeWorkspaces } from '../affected/fixtures.js';
import { CANARY, SECRETS, b64, leaksIn, workspaceFiles, writeDockerConfig } from './planted.js';

const run = Math.random().toString(36).slice(2, 8);
const ENVIRONMENT = `planted-${run}`;
const IMAGE = `convoy-test-${run}/api`;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Every surface's text, by name; checked at the end for leaks and for being non-empty. */
const surfaces = new Map<string, string>();
const record = (name: string, text: string) => surfaces.set(name, (surfaces.get(name) ?? '') + text);

let tmp: string;
let kube: KubeApiServer;
let ws: TestWorkspace;
let app: App;
let env: NodeJS.ProcessEnv;
let removeImages: () => Promise<void> = async () => {};

async function cli(name: string, args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli([...args, '--workspace', ws.dir], {
    ...defaultCliContext(),
    openApp: () => createApp({ dataDir: path.join(tmp, 'cli-data'), env, notice: () => {} }),
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
    interactive: false,
    env,
  });
  record(name, out);
  return { code, out };
}

/** Calls over a raw WebSocket, recording every frame the server sends, until the job finishes. */
async function overWebSocket(server: RunningServer, calls: Array<{ name: string; input: unknown }>): Promise<void> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(server.token)}`);
  const frames: string[] = [];
  const pending = new Map<string, () => void>();
  const results = new Map<number, (jobId: string) => void>();
  socket.on('message', (data) => {
    const text = String(data);
    frames.push(text);
    const message = JSON.parse(text) as { type: string; id?: number; name?: string; payload?: { jobId?: string }; result?: { ok: boolean; output?: { jobId?: string } } };
    // A refused call has no job to wait for.
    if (message.type === 'result' && message.id !== undefined) results.get(message.id)?.(message.result?.output?.jobId ?? '');
    if (message.type === 'event' && message.name === 'job.finished' && message.payload?.jobId) pending.get(message.payload.jobId)?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let id = 0;
  for (const call of calls) {
    const callId = ++id;
    const jobId = await new Promise<string>((resolve) => {
      results.set(callId, resolve);
      socket.send(JSON.stringify({ type: 'call', id: callId, name: call.name, input: call.input }));
    });
    if (jobId !== '') await new Promise<void>((resolve) => pending.set(jobId, resolve));
  }
  socket.close();
  record('websocket frames', frames.join('\n'));
}

function unitFor(image: string, releaseId: string, manifests: 'deploy' | 'deploy-v1'): DeployUnit {
  const project = { name: 'api', root: 'services/api', type: 'application' as const, tags: [], dependencies: [], capabilities: { dockerfile: null, manifests: null, test: null, buildable: true, deployable: true } };
  const setup = loadProjectSetup(ws.dir, project);
  if (setup?.ok !== true) throw new Error(`the planted project does not load: ${JSON.stringify(setup)}`);
  const secretNames = new Set(loadWorkspaceConfig(ws.dir).config.secrets.env);
  return toDeployUnit(
    { service: 'api', config: setup.setup.config, manifestsDir: path.join(ws.dir, 'services/api', manifests), image, releaseId, commit: null, environmentEnv: {} },
    env,
    secretNames,
  ).unit;
}

describe.skipIf(skipDocker)('planted secrets never leave Convoy', () => {
  beforeAll(async () => {
    requireDocker();
    removeImages = await snapshotImages([`${IMAGE}`]);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-planted-'));
    kube = await startKubeApiServer({ podReadyAfterMs: 50, token: SECRETS.kubeToken });
    const kubeconfig = kube.writeKubeconfig(path.join(tmp, 'kubeconfig'), { context: 'planted', token: SECRETS.kubeToken });
    env = {
      ...process.env,
      DOCKER_CONFIG: writeDockerConfig(path.join(tmp, 'docker-config')),
      KUBECONFIG: path.join(tmp, 'no-such-kubeconfig'),
      PLANT_BUILD_ARG: SECRETS.buildArg,
      PLANT_TEST_ENV: SECRETS.testEnv,
      PLANT_CONFIGMAP: SECRETS.configMap,
      PLANT_KUBE_TOKEN: SECRETS.kubeToken,
      PLANT_REGISTRY: SECRETS.registryAuth,
    };
    ws = createWorkspace('planted', workspaceFiles({ environment: ENVIRONMENT, kubeconfig, image: IMAGE }));
    // A symlink in the build context that leads out of it: left out of the archive, and the log says so.
    fs.symlinkSync(tmp, path.join(ws.dir, 'services', 'api', 'outside-link'));
    app = createApp({ dataDir: path.join(tmp, 'data'), env, notice: () => {} });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await kube?.close();
    const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ name: [`convoy-${ENVIRONMENT}-`] }) }).catch(() => []);
    for (const c of containers) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    await removeImages();
    removeWorkspaces();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('builds and tests through the CLI: plain with --logs, and --json', async () => {
    const plain = await cli('CLI plain --logs (build)', ['build', '--projects', 'api', '--logs']);
    expect(plain.code, plain.out).toBe(0);
    expect(plain.out).toContain(CANARY);
    expect(plain.out).toContain(`Left out of the build context of api: symlink outside-link -> ${tmp} points outside the context`);
    // Each place was fed into the logs, and each came out redacted (the leak scan below checks every form).
    for (const line of ['token=[redacted]', 'TEST_TOKEN=[redacted]', 'SERVICE_SETTING=[redacted]', 'KUBE_TOKEN=[redacted]', 'REGISTRY_PASSWORD=[redacted]', 'DATABASE_URL=postgres://app:[redacted]@db:5432/app', 'UPSTREAM_AUTH=Bearer [redacted]']) {
      expect(plain.out).toContain(line);
    }
    const json = await cli('CLI --json (build)', ['build', '--projects', 'api', '--json']);
    expect(json.code, json.out).toBe(0);
    const report = JSON.parse(json.out.slice(json.out.indexOf('{'))) as BuildReport;
    expect(report.projects[0]!.image).toMatch(new RegExp(`^${IMAGE}:`));
  }, 240_000);

  it('reads the Kubernetes environment through the CLI, and an error through it', async () => {
    const image = `${IMAGE}:seed`;
    const target = createKubeTarget({ environment: 'staging', context: 'planted', namespace: 'shop', createNamespace: true, kubeconfigPath: path.join(tmp, 'kubeconfig'), pollIntervalMs: 50 });
    await target.apply([unitFor(image, 'rel-1', 'deploy-v1')]);
    await target.waitReady([unitFor(image, 'rel-1', 'deploy-v1')], { deadlineMs: 20_000 });
    const status = await cli('CLI plain (status)', ['status', '--env', 'staging', '--services', 'api']);
    expect(status.code, status.out).toBe(0);
    const revisions = await cli('CLI --json (revisions)', ['revisions', '--env', 'staging', '--service', 'api', '--json']);
    expect(revisions.code, revisions.out).toBe(0);
    // A kubeconfig whose server URL carries a password: the error names the URL, never the password.
    const broken = path.join(tmp, 'broken-kubeconfig');
    fs.writeFileSync(broken, fs.readFileSync(path.join(tmp, 'kubeconfig'), 'utf8').replace(/server: .*/, `server: http://planted:${encodeURIComponent(SECRETS.urlPassword)}@10.255.255.1:1`));
    fs.appendFileSync(path.join(ws.dir, 'convoy.yaml'), `  - name: broken\n    target: { kind: kubernetes, context: planted, namespace: shop, kubeconfig: ${JSON.stringify(broken)} }\n`);
    const error = await cli('CLI errors', ['status', '--env', 'broken', '--services', 'api']);
    expect(error.code).toBe(1);
    expect(error.out).toContain('http://planted:[redacted]@10.255.255.1:1');
  }, 120_000);

  it('diffs both targets with every secret masked', async () => {
    const image = (await docker.listImages({ filters: JSON.stringify({ reference: [IMAGE] }) }))[0]?.RepoTags?.[0];
    expect(image, 'the build made an image').toBeTruthy();
    const { config } = loadWorkspaceConfig(ws.dir);
    const environment = (name: string) => config.environments.find((e) => e.name === name)!;

    // Kubernetes: a live Secret written by kubectl's client-side apply carries the last-applied annotation.
    const seeded = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-secret', namespace: 'shop', annotations: { [LAST_APPLIED]: JSON.stringify({ data: { token: b64(SECRETS.secretData) }, stringData: { password: SECRETS.secretStringData } }) } }, data: { token: b64('old-data') } };
    await kube.applyAs('kubectl-client-side-apply', seeded);
    const kubeDiff = await createTargetFor(environment('staging'), ws.dir, undefined, app.redaction, env).diff([unitFor(image!, 'rel-2', 'deploy')]);
    record('Kubernetes diff (combined)', kubeDiff.text);
    record('Kubernetes diff (per object)', kubeDiff.objects.map((o) => o.diff).join('\n'));
    expect(kubeDiff.text).toContain(`${CANARY}-v2`);
    expect(kubeDiff.text).not.toContain(LAST_APPLIED);
    expect(kubeDiff.text).toContain('+  upstream-token: [redacted]');
    expect(kubeDiff.text).toContain('+  token: "*** (changed)"');
    // env masked structurally on both sides: the old values were not secret, the new ones are
    for (const old of ['plain-old', 'old-pw-1', 'old-bearer-1']) expect(kubeDiff.text).not.toContain(old);
    expect(kubeDiff.text).toContain('value: "*** (changed)"');

    const docker1 = createTargetFor(environment(ENVIRONMENT), ws.dir, undefined, app.redaction, env);
    const first = unitFor(image!, 'rel-1', 'deploy');
    await docker1.apply([{ ...first, env: { ...first.env, SERVICE_SETTING: 'plain-old', DATABASE_URL: 'postgres://app:old-pw-1@db/app' } }]);
    const dockerDiff = await docker1.diff([unitFor(image!, 'rel-2', 'deploy')]);
    record('Docker diff (combined)', dockerDiff.text);
    record('Docker diff (per object)', dockerDiff.objects.map((o) => o.diff).join('\n'));
    expect(dockerDiff.text).toContain('SERVICE_SETTING=*** (changed)');
    expect(dockerDiff.text).toContain('LOG_LEVEL=info');
  }, 120_000);

  it('answers over the WebSocket: a build, status of both targets, revisions and an error', async () => {
    const staticDir = fs.mkdtempSync(path.join(tmp, 'static-'));
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html>');
    const server = await startServer({ app, port: 0, staticDir });
    try {
      await overWebSocket(server, [
        { name: 'build.run', input: { dir: ws.dir, projects: ['api'] } },
        { name: 'target.status', input: { dir: ws.dir, environment: ENVIRONMENT, services: ['api'] } },
        { name: 'target.status', input: { dir: ws.dir, environment: 'staging', services: ['api'] } },
        { name: 'target.revisions', input: { dir: ws.dir, environment: 'staging', service: 'api' } },
        { name: 'target.status', input: { dir: ws.dir, environment: 'broken', services: ['api'] } },
      ]);
    } finally {
      await server.close();
    }
    expect(surfaces.get('websocket frames')).toContain(CANARY);
    expect(surfaces.get('websocket frames')).toContain('"ok":false');
  }, 240_000);

  it('stores no secret: convoy.db and its -wal, of the app and of the CLI', () => {
    for (const [name, dir] of [['store (app)', path.join(tmp, 'data')], ['store (CLI)', path.join(tmp, 'cli-data')]] as const) {
      for (const suffix of ['', '-wal']) {
        const file = path.join(dir, `convoy.db${suffix}`);
        if (fs.existsSync(file)) record(`${name} convoy.db${suffix}`, fs.readFileSync(file).toString('latin1'));
      }
    }
    // The app is still open, so its log lines sit in the -wal file.
    expect(surfaces.get('store (app) convoy.db-wal')).toContain(CANARY);
  });

  it('leaks nothing on any surface, and every surface produced output', () => {
    const expected = [
      'CLI plain --logs (build)',
      'CLI --json (build)',
      'CLI plain (status)',
      'CLI --json (revisions)',
      'CLI errors',
      'Kubernetes diff (combined)',
      'Kubernetes diff (per object)',
      'Docker diff (combined)',
      'Docker diff (per object)',
      'websocket frames',
      'store (app) convoy.db',
      'store (app) convoy.db-wal',
      'store (CLI) convoy.db',
    ];
    for (const name of expected) expect(surfaces.get(name)?.length ?? 0, `${name} produced no output`).toBeGreaterThan(0);
    const leaks = [...surfaces].flatMap(([name, text]) => leaksIn(text).map((leak) => `${name}: ${leak}`));
    expect(leaks).toEqual([]);
  });
});
