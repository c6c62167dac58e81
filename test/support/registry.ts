// A real image registry for the tests (issue 16): Debian's distribution registry (`docker-registry
// serve`) on 127.0.0.1 with a throwaway storage folder, optionally behind bcrypt htpasswd basic auth
// (htpasswd from apache2-utils). The Docker Engine pushes to it over plain HTTP (127.0.0.0/8 is an
// insecure registry by default). `proxy` puts a small HTTP proxy in front that can answer chosen
// requests itself (a 403, a 500 once, a 413), for the fault cases.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BuildResult, BuildSpec, ImageBuilderPort, TestResult, TestSpec } from '../../electron/core/ports/image-builder.js';
import { REGISTRY_PATH, skipsRegistry } from './availability.js';
import { availability, docker } from './docker-engine.js';

export const REGISTRY_BINARY = REGISTRY_PATH;
/** Decided once for the run by the global setup (test/support/global-availability.ts). */
export const haveRegistry = availability().registry.found;
/** For `describe.skipIf(skipRegistry)`: skipped without the registry, except under CI, where it fails. */
export const skipRegistry = skipsRegistry(availability());

/** Call in a registry suite's beforeAll: under CI a missing registry fails the suite. */
export function requireRegistry(): void {
  if (!haveRegistry) throw new Error(`CI is set but ${REGISTRY_BINARY} is missing: install docker-registry and apache2-utils (bash .ci/run does)`);
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** Storage root (docker/registry/v2/…). */
  dir: string;
  /** Whether the registry holds `host/path@sha256:…` (read from its storage, synchronously). */
  holds(reference: string): boolean;
  /** Stops the registry and removes its storage. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until `url` answers any HTTP status, or fails after `deadlineMs` naming what it saw. */
async function waitForHttp(url: string, child: ChildProcess, output: () => string, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${output()}`);
    try {
      await fetch(url);
      return;
    } catch (err) {
      last = String((err as { cause?: unknown }).cause ?? err);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer at ${url} within ${deadlineMs}ms (${last}): ${output()}`);
}

export async function startRegistry(options: { auth?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convoy-registry-'));
  const port = await freePort();
  const storage = path.join(dir, 'storage');
  mkdirSync(storage);
  const auth = options.auth
    ? (() => {
        const file = path.join(dir, 'htpasswd');
        execFileSync('htpasswd', ['-cbB', file, options.auth.username, options.auth.password], { stdio: 'ignore' });
        return `auth:\n  htpasswd:\n    realm: convoy-test\n    path: ${file}\n`;
      })()
    : '';
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: convoy-test-secret\n${auth}`,
  );
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const host = `127.0.0.1:${port}`;
  await waitForHttp(`http://${host}/v2/`, child, () => stderr);
  return {
    host,
    dir: storage,
    holds(reference) {
      const at = reference.indexOf('@');
      const name = reference.slice(reference.indexOf('/') + 1, at);
      const digest = reference.slice(at + 1).replace(/^sha256:/, '');
      return at > 0 && existsSync(path.join(storage, 'docker/registry/v2/repositories', name, '_manifests/revisions/sha256', digest, 'link'));
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a proxy does with one request: pass it on, or answer with this status and body itself. */
export type ProxyRule = (request: { method: string; path: string; authorization: string | undefined }) => { status: number; body?: string; headers?: Record<string, string> } | null;

export interface RegistryProxy {
  host: string;
  /** Requests seen, `METHOD path`. */
  seen: string[];
  rule: ProxyRule;
  stop(): Promise<void>;
}

/** A proxy on 127.0.0.1 in front of `upstream` (host:port); the Host header passes unchanged. */
export async function startRegistryProxy(upstream: string, rule: ProxyRule = () => null): Promise<RegistryProxy> {
  const [upstreamHost, upstreamPort] = upstream.split(':');
  const seen: string[] = [];
  const proxy: RegistryProxy = { host: '', seen, rule, stop: async () => {} };
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    seen.push(`${method} ${url}`);
    const answer = proxy.rule({ method, path: url, authorization: req.headers.authorization });
    if (answer) {
      req.resume();
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(answer.body ?? JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `test proxy answered ${answer.status}` }] }));
      return;
    }
    const forward = http.request({ host: upstreamHost, port: Number(upstreamPort), method, path: url, headers: req.headers }, (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    });
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  proxy.host = `127.0.0.1:${port}`;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** A Docker client config folder holding `auths` for these hosts (what `docker login` writes). */
export function dockerConfigWith(auths: Record<string, { username: string; password: string }>): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convoy-docker-config-'));
  const entries = Object.fromEntries(Object.entries(auths).map(([host, a]) => [host, { auth: Buffer.from(`${a.username}:${a.password}`).toString('base64') }]));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: entries }), { mode: 0o600 });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A small real image per name, made from the seeded busybox by committing a container with a label
 * (a new image ID each, no network). Returns the references; `remove` untags them and every tag the
 * tests pushed from them.
 */
export async function makeTestImages(docker: import('dockerode'), names: string[], label: string): Promise<{ images: string[]; remove(): Promise<void> }> {
  const images: string[] = [];
  for (const name of names) {
    const container = await docker.createContainer({ Image: 'busybox:1.36.1', Cmd: ['true'], Labels: { 'convoy.test': 'registry' } });
    const [repo, tag] = name.split(':') as [string, string];
    await container.commit({ repo, tag, changes: `LABEL convoy.test.image=${name} convoy.test.run=${label}` });
    await container.remove({ force: true });
    images.push(name);
  }
  return {
    images,
    async remove() {
      for (const image of images) {
        const info = await docker.getImage(image).inspect().catch(() => null);
        if (!info) continue;
        for (const tag of info.RepoTags ?? []) await docker.getImage(tag).remove({ noprune: false }).catch(() => undefined);
        await docker.getImage(info.Id).remove({ force: true }).catch(() => undefined);
      }
    },
  };
}

/**
 * A builder for the registry release tests: real images named `shop/<service>:reg-<run>-<VERSION>`
 * (as the example's manifests name them), made once per name by makeTestImages, never really built.
 */
export class CommittedImages implements ImageBuilderPort {
  readonly made: Array<{ remove(): Promise<void> }> = [];
  builds = 0;
  constructor(private readonly run: string) {}
  async contentHash(spec: BuildSpec) {
    return `${spec.project}-${spec.buildArgs.VERSION}`;
  }
  async build(spec: BuildSpec): Promise<BuildResult> {
    const image = `shop/${spec.project}:reg-${this.run}-${spec.buildArgs.VERSION}`;
    let info = await docker.getImage(image).inspect().catch(() => null);
    const cached = info !== null;
    if (!info) {
      this.builds++;
      this.made.push(await makeTestImages(docker, [image], this.run));
      info = await docker.getImage(image).inspect();
    }
    return { project: spec.project, image, contentHash: image, imageId: info.Id, cached, durationMs: 1 };
  }
  async runTest(spec: TestSpec): Promise<TestResult> {
    return { project: spec.project, image: spec.image, exitCode: 0, timedOut: false, durationMs: 1, logs: [] };
  }
  /** Removes every image made, and the tags pushed from them. */
  async remove(): Promise<void> {
    for (const made of this.made) await made.remove();
  }
}
