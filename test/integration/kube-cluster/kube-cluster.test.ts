// The control-plane starter itself (test/kube-cluster): bad input gives clear messages (a port in use,
// a build that cannot run), a killed run's directory is cleaned and never reused, and
// `npm run kube-cluster` serves kubectl and stops everything it started on SIGINT.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cleanStaleRuns, isAlive, reservePort } from '../../kube-cluster/processes.js';
import { localRegistryRef } from '../../kube-cluster/simulator.js';
import { BACKEND, ROOT } from '../kube/cluster.js';

const run = promisify(execFile);

describe.skipIf(BACKEND === 'control-plane')('kube-cluster: bad input', () => {
  it('reports a port in use on 127.0.0.1', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(reservePort(port)).rejects.toThrow(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      server.close();
    }
  });

  it('removes the directory of a killed run (owner gone) and keeps a live one', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'convoy-stale-runs-'));
    const dead = path.join(root, 'run-dead');
    const live = path.join(root, 'run-live');
    // A child that has exited gives a pid that is surely not alive.
    const gone = spawn(process.execPath, ['-e', '0']);
    for (const [dir, pid] of [[dead, gone.pid], [live, process.pid]] as const) {
      mkdirSync(path.join(dir, 'etcd-data'), { recursive: true });
      writeFileSync(path.join(dir, 'owner.pid'), String(pid));
    }
    return new Promise<void>((resolve) => gone.on('exit', () => resolve())).then(() => {
      expect(isAlive(gone.pid!)).toBe(false);
      const lines: string[] = [];
      cleanStaleRuns(root, (l) => lines.push(l));
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(live)).toBe(true);
      expect(lines).toEqual([expect.stringMatching(/removed the stale control-plane directory .*run-dead .*not reused/)]);
    });
  });

  it('says the go command is missing when the build cannot run', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'convoy-kube-build-'));
    const error = await run('bash', [path.join(ROOT, 'test/kube-cluster/build.sh')], { env: { ...process.env, CONVOY_KUBE_CLUSTER_GO: path.join(cache, 'no-such-go'), CONVOY_KUBE_CLUSTER_CACHE: cache } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 1, stderr: expect.stringContaining('the go command is missing') });
  });
});

describe.skipIf(BACKEND === 'control-plane')('pod simulator: which images its registry check asks about', () => {
  it('asks a registry on 127.0.0.1 or localhost for the tag or digest, and leaves other images alone', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(localRegistryRef('127.0.0.1:5000/shop/orders-api:v2')).toEqual({ base: 'http://127.0.0.1:5000', repo: 'shop/orders-api', ref: 'v2' });
    expect(localRegistryRef(`localhost:5001/orders@${digest}`)).toEqual({ base: 'http://localhost:5001', repo: 'orders', ref: digest });
    expect(localRegistryRef(`127.0.0.1:5000/shop/orders-api:v2@${digest}`)).toMatchObject({ ref: digest });
    expect(localRegistryRef('127.0.0.1:5000/shop/orders-api')).toMatchObject({ ref: 'latest' });
    expect(localRegistryRef('shop/orders-api:v1')).toBeNull();
    expect(localRegistryRef('registry.example.com:5000/shop/orders-api:v1')).toBeNull();
  });
});

describe.skipIf(BACKEND === 'control-plane')('kube-cluster: a failed build', () => {
  it('says the build failed, with the tail of its log, and caches nothing', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'convoy-kube-build-'));
    const fakeGo = path.join(cache, 'go');
    writeFileSync(fakeGo, '#!/bin/sh\necho "compile: undefined: somethingMissing" >&2\nexit 2\n', { mode: 0o755 });
    const error = await run('bash', [path.join(ROOT, 'test/kube-cluster/build.sh')], { env: { ...process.env, CONVOY_KUBE_CLUSTER_GO: fakeGo, CONVOY_KUBE_CLUSTER_CACHE: cache } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 1, stderr: expect.stringMatching(/FAILED after \d+s; last lines of .*build\.log:\ncompile: undefined: somethingMissing/) });
    // A second run tries again rather than trusting a half-built directory.
    const again = await run('bash', [path.join(ROOT, 'test/kube-cluster/build.sh')], { env: { ...process.env, CONVOY_KUBE_CLUSTER_GO: fakeGo, CONVOY_KUBE_CLUSTER_CACHE: cache } }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('FAILED') });
  });
});

describe.skipIf(BACKEND !== 'control-plane')('npm run kube-cluster', () => {
  it('prints the kubeconfig, serves kubectl, and stops everything it started on SIGINT', async () => {
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'scripts/kube-cluster.ts', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => /kubeconfig: /.test(out) && /try: /.test(out) && resolve());
        void exited.then(() => reject(new Error(`kube-cluster exited early:\n${out}`)));
      });
      const kubeconfig = /kubeconfig: (\S+)/.exec(out)?.[1] as string;
      const kubectl = /try: KUBECONFIG=\S+ (\S+) get ns/.exec(out)?.[1] as string;
      const { stdout } = await run(kubectl, ['get', 'ns', '-o', 'name'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
      expect(stdout).toContain('namespace/kube-system');
      const runDir = path.dirname(kubeconfig);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(existsSync(runDir)).toBe(false);
      // Its API server no longer listens.
      const port = Number(/listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    } finally {
      child.kill('SIGKILL');
    }
  }, 240_000);
});
