// `convoy build` through the real bin on the bundled example: the report table and exit codes, plain
// progress lines when stderr is not a terminal, JSON output, and bad input. The Docker-backed cases
// skip without a Docker Engine on a developer machine and fail under CI.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { docker, requireDocker, skipDocker, snapshotImages } from '../../support/docker-engine.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin', 'convoy.mjs');
const shop = path.join(repo, 'examples', 'shop');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-cli-build-'));
// The example's images this file builds; removed afterwards unless they were there before.
const removeNewImages = await snapshotImages(['shop/catalog-api', 'shop/orders-api']);
afterAll(async () => {
  fs.rmSync(temp, { recursive: true, force: true });
  await removeNewImages();
});

function convoy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd: temp, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const data = ['--data', path.join(temp, 'data')];

describe('convoy build: bad input', () => {
  it('exits 2 on a concurrency that is not a positive number', async () => {
    const result = await convoy(['build', '-w', shop, '-j', 'lots', ...data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('INVALID_INPUT');
  });

  it('says how to start Docker or set DOCKER_HOST when the engine is not there', async () => {
    const result = await convoy(['build', '-w', shop, '-p', 'catalog-api', ...data], { DOCKER_HOST: `unix://${path.join(temp, 'no-docker.sock')}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/DOCKER_UNAVAILABLE/);
    expect(result.stderr).toMatch(/start Docker or set DOCKER_HOST/);
  });
});

describe.skipIf(skipDocker)('convoy build on examples/shop', () => {
  it('builds and tests the named services, printing plain progress lines and a table', async () => {
    requireDocker();
    const result = await convoy(['build', '-w', shop, '-p', 'catalog-api,orders-api', ...data]);
    expect(result.stderr).toMatch(/^convoy build: .*catalog-api: building$/m);
    expect(result.stderr).not.toContain('\x1b[K');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK: 2 project\(s\), [0-2] build\(s\) made/);
    expect(result.stdout).toMatch(/^catalog-api\s+shop\/catalog-api:[0-9a-f]{12,}\s+(built in [\d.]+ s|cached \(no build\))\s+passed in/m);
  });

  it('prints the report as JSON, and a second run makes no build call', async () => {
    const result = await convoy(['build', '-w', shop, '-p', 'catalog-api,orders-api', '--json', ...data]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; buildCalls: number; projects: { project: string; status: string }[] };
    expect(report).toMatchObject({ ok: true, buildCalls: 0 });
    expect(report.projects.map((p) => [p.project, p.status])).toEqual([
      ['catalog-api', 'cached'],
      ['orders-api', 'cached'],
    ]);
  });

  it('an unchanged image is not tested again: the table says when its tests passed; --rerun-tests runs them', async () => {
    const result = await convoy(['build', '-w', shop, '-p', 'catalog-api', ...data]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^catalog-api\s+\S+\s+cached \(no build\)\s+cached \(passed in a run of \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/m);
    const forced = await convoy(['build', '-w', shop, '-p', 'catalog-api', '--rerun-tests', ...data]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^catalog-api\s+\S+\s+cached \(no build\)\s+passed in [\d.]+ s$/m);
  });

  it('exits 1 and names the problem when a selected project has no Dockerfile', async () => {
    const result = await convoy(['build', '-w', shop, '-p', 'lib-pricing', ...data]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED: 1 project/);
    expect(result.stdout).toMatch(/lib-pricing has no Dockerfile at .*libs\/lib-pricing\/Dockerfile.*\[NO_DOCKERFILE\]/);
  });
});

describe.skipIf(skipDocker)('convoy build: Ctrl-C', () => {
  it('cancels the build, removes what it started, records the run as cancelled and exits 130', async () => {
    requireDocker();
    // A one-project workspace whose build takes 30 s unless cancelled.
    const ws = path.join(temp, 'slow-ws');
    const tag = `convoy-cli-slow-${process.pid}`;
    fs.mkdirSync(path.join(ws, 'svc'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'nx.json'), '{}');
    fs.writeFileSync(path.join(ws, 'package.json'), JSON.stringify({ name: 'slow', private: true, workspaces: ['svc'] }));
    fs.writeFileSync(path.join(ws, 'svc', 'package.json'), JSON.stringify({ name: 'svc', nx: { name: 'svc' }, convoy: { image: `${tag}/svc` } }));
    fs.writeFileSync(path.join(ws, 'svc', 'Dockerfile'), 'FROM busybox:1.36.1\nRUN echo slow-step && sleep 30\n');
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(ws, 'node_modules'));
    fs.writeFileSync(path.join(ws, '.gitignore'), 'node_modules\n.nx\n');
    for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'slow']]) {
      await new Promise<void>((resolve, reject) => execFile('git', args, { cwd: ws }, (err) => (err ? reject(err) : resolve())));
    }
    const dataDir = path.join(temp, 'slow-data');
    const child = spawn(process.execPath, [bin, 'build', '-w', ws, '-p', 'svc', '--logs', '--data', dataDir], { cwd: temp, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const started = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('slow-step')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await started;
    child.kill('SIGINT');
    const code = await exited;
    expect(stderr).toContain('cancelling');
    expect(code).toBe(130);
    expect(stdout).toMatch(/^FAILED: 1 project/);
    expect(stdout).toMatch(/^svc\s+-\s+cancelled/m);
    expect(await docker.listImages({ filters: JSON.stringify({ reference: [`${tag}/*`] }) })).toEqual([]);
    const store = openStore(dataDir);
    try {
      expect(store.listRuns({ limit: 5 })).toMatchObject([{ kind: 'build', status: 'cancelled' }]);
    } finally {
      store.close();
    }
  }, 60_000);
});
