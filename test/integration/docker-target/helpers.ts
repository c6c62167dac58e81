// Shared helpers for the Docker staging target tests against a real Docker Engine
// (docker-target*.test.ts). useTargetSuite() builds small test images from busybox:1.36.1 (a busybox
// httpd serving /healthz, /version and a CGI that prints one env var; a variant without /healthz;
// one that exits; one with a Docker HEALTHCHECK; one with no port at all), only the variants a file
// asks for. Images and every container the targets create carry a per-run label and are removed in
// the suite's afterAll. Each call of useTargetSuite() gets its own run id, so test files never clean
// up each other.
//
// Without a reachable Docker Engine the suite is skipped on a developer machine, but FAILS when the
// CI environment variable is set (describe.skipIf(skipDocker) in the test file, requireDocker() in
// the beforeAll here).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir, chmod } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect } from 'vitest';
import { dockerOptions } from '../../../electron/adapters/docker/docker-engine.js';
import { endpoint, requireDocker } from '../../support/docker-engine.js';
import { createDockerTarget, type DockerTargetConfig } from '../../../electron/adapters/docker-target/docker-target.js';
import { currentProcess } from '../../../electron/adapters/system/process-identity.js';
import { createLeaseKeeper } from '../../../electron/core/lease.js';
import { leasedTarget } from '../../../electron/core/leased-target.js';
import { createMemoryStore } from '../../fakes/store.js';
import type { DeployTargetPort, DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { ConvoyError } from '../../../shared/errors.js';

export const RUN_LABEL = 'dev.convoy.test-run';
export const BASE_IMAGE = 'busybox:1.36.1';

/** Rejects with the ConvoyError a promise fails with, or fails the test when it resolves. */
export async function convoyError(work: Promise<unknown>): Promise<ConvoyError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ConvoyError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

export async function httpText(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return { status: res.status, body: (await res.text()).trim() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const WEB = `Dockerfile.web`;
const variants = {
  v1: { dockerfile: WEB, args: { VERSION: 'v1' } },
  v2: { dockerfile: WEB, args: { VERSION: 'v2' } },
  bad: { dockerfile: 'Dockerfile.bad' },
  crash: { dockerfile: 'Dockerfile.crash' },
  hc: { dockerfile: 'Dockerfile.hc' },
  idle: { dockerfile: 'Dockerfile.idle' },
} satisfies Record<string, { dockerfile: string; args?: Record<string, string> }>;

export type Variant = keyof typeof variants;

export interface TargetSuite {
  readonly runId: string;
  readonly runLabels: Record<string, string>;
  /** Connected in beforeAll. */
  readonly docker: Docker;
  /** The tag of a test image built in beforeAll. */
  readonly image: (variant: string) => string;
  readonly unit: (service: string, variant: string, extra?: Partial<DeployUnit>) => DeployUnit;
  readonly target: (environment: string, extra?: Partial<DockerTargetConfig>) => DeployTargetPort;
  readonly inspectByName: (name: string) => Promise<Docker.ContainerInspectInfo | null>;
  readonly publishedPort: (name: string) => Promise<number>;
  readonly version: (name: string) => Promise<string>;
  readonly containerNames: (environment: string) => Promise<string[]>;
}

/**
 * Call inside a `describe.skipIf(skipDocker)`: registers the beforeAll that builds the given test
 * image variants and the afterAll that removes them and every container labelled with the run id.
 */
export function useTargetSuite(build: readonly Variant[]): TargetSuite {
  const runId = randomBytes(4).toString('hex');
  const runLabels = { [RUN_LABEL]: runId };
  const leases = createLeaseKeeper({ store: createMemoryStore(), self: currentProcess() });
  let docker: Docker | undefined;
  let connected = false;
  let contextDir = '';
  const images = new Map<string, string>();

  function engine(): Docker {
    if (!docker) throw new Error('the Docker client is not connected yet (beforeAll has not run)');
    return docker;
  }

  function image(variant: string): string {
    const tag = images.get(variant);
    if (!tag) throw new Error(`image ${variant} was not built`);
    return tag;
  }

  async function inspectByName(name: string): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await engine().getContainer(name).inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  }

  async function publishedPort(name: string): Promise<number> {
    const info = await inspectByName(name);
    const binding = info?.NetworkSettings.Ports['8080/tcp']?.[0];
    expect(binding?.HostIp).toBe('127.0.0.1');
    return Number(binding?.HostPort);
  }

  async function buildVariant(variant: Variant): Promise<void> {
    const spec: { dockerfile: string; args?: Record<string, string> } = variants[variant];
    const tag = `convoy-dt-test/${variant}:${runId}`;
    images.set(variant, tag);
    const stream = await engine().buildImage(
      { context: contextDir, src: ['Dockerfile.web', 'Dockerfile.bad', 'Dockerfile.crash', 'Dockerfile.hc', 'Dockerfile.idle', 'www'] },
      { t: tag, dockerfile: spec.dockerfile, buildargs: spec.args ?? {}, labels: runLabels, networkmode: 'none', rm: true, forcerm: true },
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l.trim() !== '');
    const failure = lines.find((l) => l.includes('"error"'));
    if (failure) throw new Error(`building ${tag}: ${failure}`);
    await engine().getImage(tag).inspect();
  }

  beforeAll(async () => {
    requireDocker();
    docker = new Docker(dockerOptions(endpoint));
    connected = true;
    await docker
      .getImage(BASE_IMAGE)
      .inspect()
      .catch(() => {
        throw new Error(`base image ${BASE_IMAGE} is missing: run bash scripts/seed-base-image.sh`);
      });
    contextDir = await mkdtemp(path.join(tmpdir(), 'convoy-dt-context-'));
    await mkdir(path.join(contextDir, 'www', 'cgi-bin'), { recursive: true });
    await writeFile(path.join(contextDir, 'www', 'healthz'), 'ok\n');
    const cgi = path.join(contextDir, 'www', 'cgi-bin', 'greeting');
    await writeFile(cgi, '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "GREETING=$GREETING"\n');
    await chmod(cgi, 0o755);
    const web = [`FROM ${BASE_IMAGE}`, 'ARG VERSION=dev', 'COPY www/ /www/', 'RUN echo "$VERSION" > /www/version', 'EXPOSE 8080'];
    await writeFile(path.join(contextDir, 'Dockerfile.web'), [...web, 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]', ''].join('\n'));
    await writeFile(
      path.join(contextDir, 'Dockerfile.bad'),
      [...web, 'RUN rm /www/healthz', 'CMD ["sh", "-c", "echo starting the build without healthz; exec httpd -f -p 8080 -h /www"]', ''].join('\n'),
    );
    await writeFile(path.join(contextDir, 'Dockerfile.crash'), [`FROM ${BASE_IMAGE}`, 'CMD ["sh", "-c", "echo fatal: config missing; exit 3"]', ''].join('\n'));
    await writeFile(
      path.join(contextDir, 'Dockerfile.hc'),
      [
        ...web,
        'HEALTHCHECK --interval=1s --timeout=2s --retries=3 CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1',
        'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
        '',
      ].join('\n'),
    );
    await writeFile(path.join(contextDir, 'Dockerfile.idle'), [`FROM ${BASE_IMAGE}`, 'CMD ["sleep", "3600"]', ''].join('\n'));
    for (const variant of build) await buildVariant(variant);
  });

  afterAll(async () => {
    if (contextDir) await rm(contextDir, { recursive: true, force: true });
    if (!connected) return;
    const client = engine();
    const problems: string[] = [];
    const labelled = await client.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    for (const c of labelled) {
      await client
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((err: unknown) => problems.push(`container ${c.Id}: ${String(err)}`));
    }
    for (const tag of images.values()) {
      await client
        .getImage(tag)
        .remove({ force: true })
        .catch((err: unknown) => {
          if ((err as { statusCode?: number }).statusCode !== 404) problems.push(`image ${tag}: ${String(err)}`);
        });
    }
    if (problems.length > 0) throw new Error(`cleanup failed:\n${problems.join('\n')}`);
  });

  return {
    runId,
    runLabels,
    get docker() {
      return engine();
    },
    image,
    unit: (service, variant, extra = {}) => ({
      service,
      image: image(variant),
      releaseId: `rel-${variant}`,
      commit: `c0ffee-${variant}`,
      manifestsDir: null,
      port: 8080,
      health: '/healthz',
      env: { GREETING: 'hello', API_TOKEN: 'tok-123456' },
      ...extra,
    }),
    // As Convoy makes them (electron/services/targets.ts): every change holds the environment's lease,
    // here over one in-memory store shared by the suite, as one app shares its store.
    target: (environment, extra = {}) =>
      leasedTarget(
        createDockerTarget({
          environment,
          healthDeadlineMs: 20_000,
          pollIntervalMs: 100,
          stopTimeoutSeconds: 1,
          settleMs: 500,
          labels: runLabels,
          ...extra,
        }),
        leases,
      ),
    inspectByName,
    publishedPort,
    version: async (name) => (await httpText(`http://127.0.0.1:${await publishedPort(name)}/version`)).body,
    containerNames: async (environment) => {
      const list = await engine().listContainers({ all: true, filters: { label: [`dev.convoy.environment=${environment}`] } });
      return list.map((c) => (c.Names[0] ?? '').replace(/^\//, '')).sort();
    },
  };
}
