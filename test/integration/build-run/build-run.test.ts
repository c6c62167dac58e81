// `build.run` end to end through the app and the contract, on a small Nx workspace and the real Docker
// Engine: every project's outcome is kept when others fail, a second run makes no build call, planted
// secrets never reach a stored or emitted log line, and every step is recorded in the history store.
//
// Without a reachable Docker Engine the suite is skipped on a developer machine, but FAILS when CI is set.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../electron/app.js';
import { createDockerEngine } from '../../../electron/adapters/docker/docker-engine.js';
import { REDACTED } from '../../../electron/core/redact.js';
import { createClient } from '../../../shared/client.js';
import type { BuildReport, ProjectBuild } from '../../../shared/domain.js';
import { ConvoyError } from '../../../shared/errors.js';
import { type TestWorkspace, createWorkspace, removeWorkspaces } from '../affected/fixtures.js';
import { docker, requireDocker, skipDocker } from '../../support/docker-engine.js';


const RUN = randomBytes(4).toString('hex');
const REPO = `convoy-it-${RUN}`;
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const API_KEY = `key/${randomBytes(12).toString('base64')}`;
const KUBE_TOKEN = `kube-${randomBytes(12).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function service(name: string, convoy: Record<string, unknown>, dockerfile: string | null, extra: Record<string, string> = {}) {
  return {
    [`services/${name}/package.json`]: { name: `@it/${name}`, version: '1.0.0', nx: { name }, convoy: { image: `${REPO}/${name}`, ...convoy } },
    ...(dockerfile === null ? {} : { [`services/${name}/Dockerfile`]: dockerfile }),
    ...Object.fromEntries(Object.entries(extra).map(([file, text]) => [`services/${name}/${file}`, text])),
  };
}

const FROM = 'FROM busybox:1.36.1\n';
const TEMPLATE = {
  'package.json': { name: 'it', private: true, workspaces: ['services/*', 'libs/*'] },
  'nx.json': { $schema: './node_modules/nx/schemas/nx-schema.json' },
  'convoy.yaml':
    'secrets:\n  env: [CONVOY_IT_API_KEY]\nbuild:\n  testTimeoutSeconds: 60\n' +
    'environments:\n  - name: staging\n    target: { kind: kubernetes, context: it, namespace: it, kubeconfig: ops/kubeconfig }\n',
  // A kubeconfig named by convoy.yaml (not on KUBECONFIG): its token must be redacted too.
  'ops/kubeconfig': `users:\n  - name: it\n    user:\n      token: ${KUBE_TOKEN}\n`,
  'libs/lib/package.json': { name: '@it/lib', version: '1.0.0', nx: { name: 'lib' } },
  ...service('api', { test: ['sh', '/t.sh'] }, `${FROM}COPY t.sh /t.sh\n`, { 't.sh': 'echo PASS: api\n' }),
  ...service(
    'leaky',
    {
      buildArgs: { TOKEN: { fromEnv: 'CONVOY_IT_TOKEN', secret: true } },
      env: { API_KEY: '${CONVOY_IT_API_KEY}' },
      test: ['sh', '-c', 'echo "key=$API_KEY"; echo -n "$API_KEY" | base64; printf "user:%s" "$API_KEY" | base64'],
    },
    `${FROM}ARG TOKEN\nRUN echo "token=$TOKEN" && echo -n "$TOKEN" | base64 && printf "ab%s" "$TOKEN" | base64 && echo "kube=${KUBE_TOKEN}"\n`,
  ),
  ...service('failing', { test: ['sh', '-c', 'echo "FAIL: totals"; exit 1'] }, `${FROM}RUN true\n`),
  ...service('hang', { test: ['sleep', '60'], testTimeoutSeconds: 1 }, `${FROM}RUN true # hang\n`),
  ...service('broken', {}, `${FROM}RUN echo before\nRUN exit 3\n`),
  ...service('noargs', { buildArgs: { X: '${CONVOY_IT_UNSET_VAR}' } }, `${FROM}ARG X\n`),
  'services/badname/package.json': { name: '@it/badname', version: '1.0.0', nx: { name: 'badname' }, convoy: { image: 'Bad Name/x' } },
  'services/badname/Dockerfile': FROM,
  ...service('nofile', {}, null),
  ...service('slow', {}, `${FROM}RUN echo slow-start && sleep 30\n`),
  // The test script exists only in the `test` stage: the tests pass only if they run there.
  ...service(
    'staged',
    { test: ['sh', '/t.sh'], testStage: 'test' },
    'FROM busybox:1.36.1 AS test\nCOPY t.sh /t.sh\n\nFROM busybox:1.36.1\nRUN echo runtime > /runtime.txt\n',
    { 't.sh': 'test -f /t.sh && echo PASS: in the test stage\n' },
  ),
};

const ENV = { ...process.env, CONVOY_IT_TOKEN: TOKEN, CONVOY_IT_API_KEY: API_KEY };
const ALL = ['api', 'leaky', 'failing', 'hang', 'broken', 'noargs', 'badname', 'nofile', 'lib', 'staged'];

let ws: TestWorkspace;
let app: App;
let dataDir: string;

function byName(report: BuildReport, name: string): ProjectBuild {
  const found = report.projects.find((p) => p.project === name);
  if (!found) throw new Error(`no result for ${name}`);
  return found;
}

describe.skipIf(skipDocker)('build.run against the real Docker Engine', () => {
  beforeAll(async () => {
    requireDocker();
    ws = createWorkspace('build-run', TEMPLATE);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-build-run-data-'));
    app = createApp({ dataDir, env: ENV });
  });

  afterAll(async () => {
    await app?.close();
    removeWorkspaces();
    fs.rmSync(dataDir, { recursive: true, force: true });
    const images = await docker.listImages({ filters: JSON.stringify({ reference: [`${REPO}/*`] }) });
    for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => {});
    // The untagged layers its failed and cancelled builds leave are removed after the whole run
    // (test/support/global-docker-layers.ts), when no other file's build can be using them.
  });

  let first: BuildReport;
  const emitted: string[] = [];

  it('builds and tests every named project, keeping each one’s result when others fail', async () => {
    const client = createClient(app.channel());
    const stop = client.on('build.log', (entry) => void emitted.push(`${entry.project}/${entry.phase}: ${entry.line}`));
    first = await client.run('build.run', { dir: ws.dir, projects: ALL, concurrency: 2 });
    stop();
    expect(first.ok).toBe(false);
    expect(byName(first, 'api')).toMatchObject({ status: 'built', error: null, test: { status: 'passed', exitCode: 0 } });
    expect(byName(first, 'api').image).toMatch(new RegExp(`^${REPO}/api:[0-9a-f]{12,64}$`));
    expect(byName(first, 'leaky')).toMatchObject({ status: 'built', test: { status: 'passed' } });
    expect(byName(first, 'failing')).toMatchObject({ status: 'built', error: { code: 'TEST_FAILED' }, test: { status: 'failed', exitCode: 1 } });
    expect(byName(first, 'failing').test.logTail).toContain('FAIL: totals');
    expect(byName(first, 'hang')).toMatchObject({ error: { code: 'TEST_TIMEOUT' }, test: { status: 'timed-out' } });
    expect(byName(first, 'broken')).toMatchObject({ status: 'failed', error: { code: 'BUILD_FAILED' } });
    expect(byName(first, 'broken').error!.message).toContain('RUN exit 3');
    expect(byName(first, 'noargs')).toMatchObject({ status: 'failed', error: { code: 'BUILD_ARG_UNSET' } });
    expect(byName(first, 'noargs').error!.message).toContain('CONVOY_IT_UNSET_VAR');
    expect(byName(first, 'badname')).toMatchObject({ status: 'failed', error: { code: 'IMAGE_NAME_INVALID' } });
    expect(byName(first, 'nofile')).toMatchObject({ status: 'failed', error: { code: 'NO_DOCKERFILE' } });
    expect(byName(first, 'lib')).toMatchObject({ status: 'failed', error: { code: 'NO_DOCKERFILE' } });
    expect(byName(first, 'staged')).toMatchObject({ status: 'built', error: null, test: { status: 'passed', logTail: ['PASS: in the test stage'] } });
  });

  it('builds the test stage as its own image and keeps it out of the deployable one', async () => {
    const staged = byName(first, 'staged');
    const steps = app.store.listSteps(first.runId).filter((s) => s.kind === 'docker.build' && s.target === 'staged');
    expect(steps.map((s) => (s.detail as { target: string | null }).target)).toEqual([null, 'test']);
    const testImage = (steps[1]!.result as { image: string }).image;
    expect(testImage).not.toBe(staged.image);
    const run = async (image: string) => {
      const container = await docker.createContainer({ Image: image, Cmd: ['sh', '-c', 'ls /t.sh /runtime.txt 2>/dev/null; true'], NetworkDisabled: true });
      try {
        const stream = await container.attach({ stream: true, stdout: true, stderr: true });
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        await container.start();
        await container.wait();
        return Buffer.concat(chunks).toString('latin1');
      } finally {
        await container.remove({ force: true });
      }
    };
    expect(await run(staged.image!)).toContain('/runtime.txt');
    expect(await run(staged.image!)).not.toContain('/t.sh');
    expect(await run(testImage)).toContain('/t.sh');
  });

  it('labels the image with the project, the commit, the run and its content hash; never tags latest', async () => {
    const api = byName(first, 'api');
    const info = await docker.getImage(api.image!).inspect();
    const labels = info.Config.Labels ?? {};
    expect(labels['org.opencontainers.image.revision']).toBe(ws.head());
    expect(labels['dev.convoy.release']).toBe(first.runId);
    expect(labels['dev.convoy.project']).toBe('api');
    expect(labels['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(api.contentHash && labels['dev.convoy.content-hash']?.startsWith(api.contentHash.slice(0, 12))).toBe(true);
    expect(info.RepoTags ?? []).not.toContain(`${REPO}/api:latest`);
  });

  it('keeps planted secrets (plain and base64) out of emitted and stored log lines', () => {
    const stored = app.store.listEvents(first.runId).filter((e) => e.name === 'build.log').map((e) => JSON.stringify(e.payload));
    const leakyLines = emitted.filter((line) => line.startsWith('leaky/'));
    // The lines did flow, and went through the redactor.
    expect(leakyLines.some((line) => line.includes(REDACTED) && line.startsWith('leaky/build'))).toBe(true);
    expect(leakyLines.some((line) => line.includes(REDACTED) && line.startsWith('leaky/test'))).toBe(true);
    expect(stored.length).toBeGreaterThanOrEqual(emitted.length);
    const forbidden = [TOKEN, API_KEY, KUBE_TOKEN, b64(TOKEN), b64(API_KEY), b64(`ab${TOKEN}`).slice(4, 20), b64(`user:${API_KEY}`).slice(8, 24)];
    for (const text of [...emitted, ...stored, JSON.stringify(first)]) {
      for (const secret of forbidden) expect(text).not.toContain(secret);
    }
  });

  it('records the run (kind build), its stage and a step intent and result per build and test', () => {
    const run = app.store.getRun(first.runId);
    expect(run).toMatchObject({ kind: 'build', status: 'failed', head: ws.head() });
    expect(app.store.listStages(first.runId)).toMatchObject([{ name: 'build', status: 'failed' }]);
    const steps = app.store.listSteps(first.runId);
    expect(steps.every((s) => s.finishedAt !== null)).toBe(true);
    const apiBuild = steps.find((s) => s.kind === 'docker.build' && s.target === 'api');
    expect(apiBuild).toMatchObject({ ok: true, result: { image: byName(first, 'api').image, cached: false } });
    expect(steps.find((s) => s.kind === 'docker.test' && s.target === 'failing')).toMatchObject({ ok: false });
  });

  it('makes zero build calls on a second run with no source change', async () => {
    const client = createClient(app.channel());
    const again = await client.run('build.run', { dir: ws.dir, projects: ['api', 'leaky', 'failing'] });
    expect(again.buildCalls).toBe(0);
    expect(again.projects.map((p) => p.status)).toEqual(['cached', 'cached', 'cached']);
    expect(byName(again, 'api').image).toBe(byName(first, 'api').image);
    expect(app.store.getRun(again.runId)).toMatchObject({ kind: 'build', status: 'failed' });
  });

  it('answers passed tests of unchanged images from the store; a failed test runs again; rerunTests runs all', async () => {
    const client = createClient(app.channel());
    const again = await client.run('build.run', { dir: ws.dir, projects: ['api', 'failing'] });
    expect(byName(again, 'api').test).toMatchObject({ status: 'passed', cached: { runId: first.runId } });
    expect(byName(again, 'failing').test).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(byName(again, 'failing').test.cached).toBeUndefined();
    const tested = app.store.listSteps(again.runId).filter((s) => s.kind === 'docker.test').map((s) => s.target);
    expect(tested).toEqual(['failing']);

    const forced = await client.run('build.run', { dir: ws.dir, projects: ['api'], rerunTests: true });
    expect(byName(forced, 'api').test).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(byName(forced, 'api').test.cached).toBeUndefined();
    expect(app.store.listSteps(forced.runId).filter((s) => s.kind === 'docker.test').map((s) => s.target)).toEqual(['api']);
  });

  it('builds only affected projects by default, and rebuilds a project whose inputs changed', async () => {
    ws.commit('change api', { 'services/api/t.sh': 'echo PASS: api v2\n' });
    const client = createClient(app.channel());
    const report = await client.run('build.run', { dir: ws.dir, base: 'HEAD~1' });
    expect(report.projects.map((p) => p.project)).toEqual(['api']);
    // The project's own outcome first, so a failed build shows its error rather than only a count.
    expect(byName(report, 'api')).toMatchObject({ status: 'built', error: null });
    expect(report.buildCalls).toBe(1);
    // The run records the base the affected set was computed from, resolved to a commit.
    expect(app.store.getRun(report.runId)?.base).toMatch(/^[0-9a-f]{40}$/);
    expect(byName(report, 'api').image).not.toBe(byName(first, 'api').image);
    expect(report.ok).toBe(true);
  });

  it('job.cancel stops an in-flight build, leaves no tagged image and records the run as cancelled', async () => {
    const client = createClient(app.channel());
    let jobId = '';
    const started = new Promise<void>((resolve) => {
      const stop = client.on('build.log', (entry) => {
        if (entry.project === 'slow' && entry.line.includes('slow-start')) {
          stop();
          resolve();
        }
      });
    });
    const finished = new Promise<{ ok: boolean; output?: unknown }>((resolve) => {
      const stop = client.on('job.finished', (event) => {
        if (event.jobId === jobId) {
          stop();
          resolve(event);
        }
      });
    });
    jobId = await client.start('build.run', { dir: ws.dir, projects: ['slow'] });
    await started;
    expect(await client.call('job.cancel', { jobId })).toEqual({ cancelled: true });
    const event = await finished;
    // The job answers with what it has: the cancelled project, not a lost run.
    const report = (event.ok ? event.output : null) as BuildReport | null;
    expect(report?.projects).toMatchObject([{ project: 'slow', status: 'cancelled', error: { code: 'CANCELLED' } }]);
    const tagged = await docker.listImages({ filters: JSON.stringify({ reference: [`${REPO}/slow`] }) });
    expect(tagged).toEqual([]);
    expect(app.store.getRun(report!.runId)).toMatchObject({ status: 'cancelled' });
  });

  it('refuses names that are not projects, listing the real ones', async () => {
    const client = createClient(app.channel());
    await expect(client.run('build.run', { dir: ws.dir, projects: ['nope'] })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('api, badname') });
  });

  it('says how to start Docker or set DOCKER_HOST when the engine is not reachable', async () => {
    const offline = createApp({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-build-off-')), docker: createDockerEngine('unix:///nonexistent/docker.sock', 500) });
    try {
      const err = await createClient(offline.channel())
        .run('build.run', { dir: ws.dir, projects: ['api'] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConvoyError);
      expect(err).toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: expect.stringMatching(/start Docker or set DOCKER_HOST/) });
      expect(offline.store.listRuns({ limit: 5 })).toEqual([]);
    } finally {
      await offline.close();
    }
  });
});
