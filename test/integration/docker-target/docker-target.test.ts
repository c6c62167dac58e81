// The Docker staging target against a real Docker Engine. Small test images are built here from
// busybox:1.36.1 (a busybox httpd serving /healthz, /version and a CGI that prints one env var; a
// variant without /healthz; one that exits; one with a Docker HEALTHCHECK; one with no port at all).
// Images and every container the targets create carry a per-run label and are removed in afterAll.
//
// Without a reachable Docker Engine the suite is skipped on a developer machine, but FAILS when the
// CI environment variable is set. No timing assertions: deadlines only bound how long a failure takes.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir, chmod } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerOptions } from '../../../electron/adapters/docker/docker-engine.js';
import { endpoint, requireDocker, skipDocker } from '../../support/docker-engine.js';
import { createDockerTarget, type DockerTargetConfig } from '../../../electron/adapters/docker-target/docker-target.js';
import type { DeployTargetPort, DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { ConvoyError } from '../../../shared/errors.js';

const RUN_ID = randomBytes(4).toString('hex');
const RUN_LABEL = 'dev.convoy.test-run';
const RUN_LABELS = { [RUN_LABEL]: RUN_ID };
const BASE_IMAGE = 'busybox:1.36.1';


/** Rejects with the ConvoyError a promise fails with, or fails the test when it resolves. */
async function convoyError(work: Promise<unknown>): Promise<ConvoyError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ConvoyError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function httpText(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return { status: res.status, body: (await res.text()).trim() };
}

function freePort(): Promise<number> {
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

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('docker target without an engine', () => {
  it('says DOCKER_UNAVAILABLE and how to fix it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'convoy-dt-nosock-'));
    try {
      const target = createDockerTarget({ environment: 'nowhere', endpoint: `unix://${path.join(dir, 'docker.sock')}` });
      const err = await convoyError(target.status(['web']));
      expect(err.code).toBe('DOCKER_UNAVAILABLE');
      expect(err.message).toContain('DOCKER_HOST');
      expect(err.message).toContain('nowhere');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipDocker)(`docker staging target on a real Docker Engine (${endpoint})`, () => {
  let docker!: Docker;
  let connected = false;
  let contextDir = '';
  const images = new Map<string, string>();

  const WEB = `Dockerfile.web`;
  const variants: Record<string, { dockerfile: string; args?: Record<string, string> }> = {
    v1: { dockerfile: WEB, args: { VERSION: 'v1' } },
    v2: { dockerfile: WEB, args: { VERSION: 'v2' } },
    bad: { dockerfile: 'Dockerfile.bad' },
    crash: { dockerfile: 'Dockerfile.crash' },
    hc: { dockerfile: 'Dockerfile.hc' },
    idle: { dockerfile: 'Dockerfile.idle' },
  };

  function image(variant: string): string {
    const tag = images.get(variant);
    if (!tag) throw new Error(`image ${variant} was not built`);
    return tag;
  }

  function unit(service: string, variant: string, extra: Partial<DeployUnit> = {}): DeployUnit {
    return {
      service,
      image: image(variant),
      releaseId: `rel-${variant}`,
      commit: `c0ffee-${variant}`,
      manifestsDir: null,
      port: 8080,
      health: '/healthz',
      env: { GREETING: 'hello', API_TOKEN: 'tok-123456' },
      ...extra,
    };
  }

  function target(environment: string, extra: Partial<DockerTargetConfig> = {}): DeployTargetPort {
    return createDockerTarget({
      environment,
      healthDeadlineMs: 20_000,
      pollIntervalMs: 100,
      stopTimeoutSeconds: 1,
      settleMs: 500,
      labels: RUN_LABELS,
      ...extra,
    });
  }

  async function inspectByName(name: string): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await docker.getContainer(name).inspect();
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

  async function version(name: string): Promise<string> {
    return (await httpText(`http://127.0.0.1:${await publishedPort(name)}/version`)).body;
  }

  async function containerNames(environment: string): Promise<string[]> {
    const list = await docker.listContainers({ all: true, filters: { label: [`dev.convoy.environment=${environment}`] } });
    return list.map((c) => (c.Names[0] ?? '').replace(/^\//, '')).sort();
  }

  async function build(variant: string): Promise<void> {
    const spec = variants[variant];
    if (!spec) throw new Error(variant);
    const tag = `convoy-dt-test/${variant}:${RUN_ID}`;
    images.set(variant, tag);
    const stream = await docker.buildImage(
      { context: contextDir, src: ['Dockerfile.web', 'Dockerfile.bad', 'Dockerfile.crash', 'Dockerfile.hc', 'Dockerfile.idle', 'www'] },
      { t: tag, dockerfile: spec.dockerfile, buildargs: spec.args ?? {}, labels: RUN_LABELS, networkmode: 'none', rm: true, forcerm: true },
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l.trim() !== '');
    const failure = lines.find((l) => l.includes('"error"'));
    if (failure) throw new Error(`building ${tag}: ${failure}`);
    await docker.getImage(tag).inspect();
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
    for (const variant of Object.keys(variants)) await build(variant);
  });

  afterAll(async () => {
    if (contextDir) await rm(contextDir, { recursive: true, force: true });
    if (!connected) return;
    const problems: string[] = [];
    const labelled = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${RUN_ID}`] } });
    for (const c of labelled) {
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((err: unknown) => problems.push(`container ${c.Id}: ${String(err)}`));
    }
    for (const tag of images.values()) {
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch((err: unknown) => {
          if ((err as { statusCode?: number }).statusCode !== 404) problems.push(`image ${tag}: ${String(err)}`);
        });
    }
    if (problems.length > 0) throw new Error(`cleanup failed:\n${problems.join('\n')}`);
  });

  describe('with Docker-chosen host ports (blue/green)', () => {
    const env = `a${RUN_ID}`;
    const name = `convoy-${env}-web`;

    it('deploys a first revision that is healthy and reachable on 127.0.0.1', async () => {
      const t = target(env);
      const before = await t.diff([unit('web', 'v1')]);
      expect(before.objects).toMatchObject([{ service: 'web', change: 'add', object: `container ${name}` }]);
      expect(before.text).toContain(`+image: ${image('v1')}`);
      expect(before.text).toContain('+  API_TOKEN=***');
      expect(before.text).not.toContain('tok-123456');

      const messages: string[] = [];
      const result = await t.apply([unit('web', 'v1')], { progress: (m) => messages.push(m) });
      expect(result).toEqual({ environment: env, objects: [{ service: 'web', object: `container ${name}`, action: 'created' }] });
      expect(messages.some((m) => m.includes('healthy'))).toBe(true);

      expect(await version(name)).toBe('v1');
      expect((await httpText(`http://127.0.0.1:${await publishedPort(name)}/cgi-bin/greeting`)).body).toBe('GREETING=hello');
      const info = await inspectByName(name);
      expect(info?.Config.Labels).toMatchObject({
        'dev.convoy.managed-by': 'convoy',
        'dev.convoy.environment': env,
        'dev.convoy.service': 'web',
        'dev.convoy.release-id': 'rel-v1',
        'dev.convoy.commit': 'c0ffee-v1',
        'dev.convoy.revision': '1',
      });
      expect(info?.HostConfig.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '0' }] });

      const [status] = await t.status(['web']);
      expect(status).toMatchObject({ service: 'web', state: 'ready', revision: '1', image: image('v1') });
      const ready = await t.waitReady([unit('web', 'v1')], { deadlineMs: 10_000 });
      expect(ready.map((s) => s.state)).toEqual(['ready']);
    });

    it('reports unchanged after apply, and a masked modify for changed config', async () => {
      const t = target(env);
      const id = (await inspectByName(name))?.Id;
      const same = await t.diff([unit('web', 'v1')]);
      expect(same.objects).toMatchObject([{ change: 'unchanged', diff: '' }]);
      expect(same.text).toBe('');
      expect((await t.apply([unit('web', 'v1')])).objects[0]?.action).toBe('unchanged');
      expect((await inspectByName(name))?.Id).toBe(id);

      const changed = await t.diff([unit('web', 'v1', { env: { GREETING: 'hi', API_TOKEN: 'tok-other' } })]);
      expect(changed.objects[0]?.change).toBe('modify');
      for (const line of ['-  GREETING=hello', '+  GREETING=hi', '-  API_TOKEN=***', '+  API_TOKEN=*** (changed)']) {
        expect(changed.text.split('\n')).toContain(line);
      }
      expect(changed.text).not.toContain('tok-');
    });

    it('replaces the revision with a new image and retires the old one', async () => {
      const t = target(env);
      const result = await t.apply([unit('web', 'v2')]);
      expect(result.objects[0]?.action).toBe('configured');
      expect(await version(name)).toBe('v2');
      const retired = await inspectByName(`${name}-r1`);
      expect(retired?.State.Running).toBe(false);
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);

      const revisions = await t.revisions('web');
      expect(revisions.map((r) => [r.revision, r.image, r.current])).toEqual([
        ['2', image('v2'), true],
        ['1', image('v1'), false],
      ]);
      expect(revisions[0]).toMatchObject({ commit: 'c0ffee-v2', releaseId: 'rel-v2' });
      expect(revisions[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('keeps the old revision serving when the new one fails its health check', async () => {
      const t = target(env, { healthDeadlineMs: 3_000 });
      const id = (await inspectByName(name))?.Id;
      const err = await convoyError(t.apply([unit('web', 'bad')]));
      expect(err.code).toBe('HEALTH_FAILED');
      expect(err.message).toContain('HTTP 404');
      expect(err.message).toContain('starting the build without healthz');
      expect(err.message).toContain('kept serving');
      expect((await inspectByName(name))?.Id).toBe(id);
      expect(await version(name)).toBe('v2');
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('fails at once with the exit code and logs when the new container exits', async () => {
      const t = target(env);
      const err = await convoyError(t.apply([unit('web', 'crash')]));
      expect(err.code).toBe('HEALTH_FAILED');
      expect(err.message).toContain('exited (code 3)');
      expect(err.message).toContain('fatal: config missing');
      expect(await version(name)).toBe('v2');
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('cleans up a half-started revision when cancelled', async () => {
      const t = target(env);
      const controller = new AbortController();
      const progress = (message: string) => {
        if (message.includes('waiting for')) controller.abort();
      };
      const err = await convoyError(t.apply([unit('web', 'bad')], { signal: controller.signal, progress }));
      expect(err.code).toBe('CANCELLED');
      expect(await version(name)).toBe('v2');
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('refuses an image that is not in the local engine, changing nothing', async () => {
      const t = target(env);
      const err = await convoyError(t.apply([unit('web', 'v1', { image: `convoy-dt-test/missing:${RUN_ID}` })]));
      expect(err.code).toBe('NOT_FOUND');
      expect(err.message).toContain(`convoy-dt-test/missing:${RUN_ID}`);
      expect(await version(name)).toBe('v2');
    });

    it('rolls back to the previous revision as a new revision, and to a named one', async () => {
      const t = target(env);
      const back = await t.rollback('web');
      expect(back).toEqual({ service: 'web', from: '2', to: '1', current: '3' });
      expect(await version(name)).toBe('v1');
      expect((await httpText(`http://127.0.0.1:${await publishedPort(name)}/cgi-bin/greeting`)).body).toBe('GREETING=hello');

      const revisions = await t.revisions('web');
      expect(revisions.map((r) => [r.revision, r.image, r.releaseId, r.current])).toEqual([
        ['3', image('v1'), 'rel-v1', true],
        ['2', image('v2'), 'rel-v2', false],
        ['1', image('v1'), 'rel-v1', false],
      ]);

      const unknown = await convoyError(t.rollback('web', '99'));
      expect(unknown.code).toBe('ROLLBACK_REFUSED');
      expect(unknown.message).toContain('3 (current), 2, 1');

      expect(await t.rollback('web', '2')).toEqual({ service: 'web', from: '3', to: '2', current: '4' });
      expect(await version(name)).toBe('v2');
      expect((await t.diff([unit('web', 'v2')])).objects[0]?.change).toBe('unchanged');
    });
  });

  describe('with a fixed host port (stop, start, restore)', () => {
    const env = `f${RUN_ID}`;
    const name = `convoy-${env}-web`;
    let port = 0;

    beforeAll(async () => {
      port = await freePort();
    });

    it('deploys on the fixed port and replaces in place', async () => {
      const t = target(env, { hostPort: (service) => (service === 'web' ? port : undefined) });
      expect((await t.apply([unit('web', 'v1')])).objects[0]?.action).toBe('created');
      expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v1');
      expect((await t.diff([unit('web', 'v1')])).objects[0]?.change).toBe('unchanged');

      expect((await t.apply([unit('web', 'v2')])).objects[0]?.action).toBe('configured');
      expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v2');
      expect(await publishedPort(name)).toBe(port);
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('restores the old revision on the same port when the new one fails', async () => {
      const t = target(env, { hostPort: () => port, healthDeadlineMs: 3_000 });
      const id = (await inspectByName(name))?.Id;
      const err = await convoyError(t.apply([unit('web', 'bad')]));
      expect(err.code).toBe('HEALTH_FAILED');
      expect(err.message).toContain('HTTP 404');
      expect(err.message).toContain('starting the build without healthz');
      expect(err.message).toContain('restored and is serving');
      expect((await inspectByName(name))?.Id).toBe(id);
      expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v2');
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('refuses a host port held by another process before changing anything', async () => {
      const busyPort = await freePort();
      const holder = await listen(busyPort);
      try {
        const t = target(env, { hostPort: () => busyPort });
        const id = (await inspectByName(name))?.Id;
        const err = await convoyError(t.apply([unit('web', 'v1')]));
        expect(err.code).toBe('PORT_IN_USE');
        expect(err.message).toContain(String(busyPort));
        expect(err.message).toContain('web');
        const info = await inspectByName(name);
        expect(info?.Id).toBe(id);
        expect(info?.State.Running).toBe(true);
        expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v2');
        expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    });

    it('refuses a host port published by another Convoy container', async () => {
      const t = target(env, { hostPort: () => port });
      const err = await convoyError(t.apply([unit('other', 'v1')]));
      expect(err.code).toBe('PORT_IN_USE');
      expect(err.message).toContain(name);
      expect(err.message).toContain(`${env}/other`);
    });

    it('rolls back on the same port', async () => {
      const t = target(env, { hostPort: () => port });
      expect(await t.rollback('web')).toEqual({ service: 'web', from: '2', to: '1', current: '3' });
      expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v1');
      expect((await t.revisions('web')).map((r) => r.revision)).toEqual(['3', '2', '1']);
    });
  });

  describe('history', () => {
    const env = `p${RUN_ID}`;
    const name = `convoy-${env}-web`;

    it('keeps only the newest retired revisions, and refuses rollback to a pruned one', async () => {
      const t = target(env, { keepRetired: 1 });
      await t.apply([unit('web', 'v1')]);
      await t.apply([unit('web', 'v2')]);
      await t.apply([unit('web', 'v1', { env: { GREETING: 'third' } })]);
      expect(await containerNames(env)).toEqual([name, `${name}-r2`]);
      expect((await t.revisions('web')).map((r) => [r.revision, r.current])).toEqual([
        ['3', true],
        ['2', false],
      ]);
      const err = await convoyError(t.rollback('web', '1'));
      expect(err.code).toBe('ROLLBACK_REFUSED');
      expect(err.message).toContain('known revisions: 3 (current), 2');
    });

    it('refuses a container on the canonical name that Convoy did not make', async () => {
      const foreign = await docker.createContainer({
        name: `convoy-${env}-squat`,
        Image: BASE_IMAGE,
        Cmd: ['true'],
        Labels: RUN_LABELS,
      });
      const t = target(env);
      const err = await convoyError(t.apply([unit('web', 'v2'), unit('squat', 'v1')]));
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain(`convoy-${env}-squat`);
      expect((await t.revisions('web')).find((r) => r.current)?.revision).toBe('3');
      await foreign.remove({ force: true });
    });
  });

  describe('without an HTTP health path', () => {
    const env = `h${RUN_ID}`;

    it("waits for the image's HEALTHCHECK", async () => {
      const t = target(env);
      await t.apply([unit('hc', 'hc', { health: null })]);
      const [status] = await t.waitReady([unit('hc', 'hc', { health: null })], { deadlineMs: 10_000 });
      expect(status?.state).toBe('ready');
      expect(status?.message).toContain('HEALTHCHECK healthy');
    });

    it('accepts a container that keeps running, and reports a missing one', async () => {
      const t = target(env);
      await t.apply([unit('idle', 'idle', { health: null, port: null })]);
      const statuses = await t.status(['idle', 'nothing']);
      expect(statuses.map((s) => [s.service, s.state])).toEqual([
        ['idle', 'ready'],
        ['nothing', 'missing'],
      ]);
      expect(statuses[0]?.message).toContain('without exiting');
    });

    it('notices a stopped container: waitReady fails, status says failed, apply starts a new revision', async () => {
      const t = target(env);
      const idle = unit('idle', 'idle', { health: null, port: null });
      await docker.getContainer(`convoy-${env}-idle`).stop({ t: 1 });
      const err = await convoyError(t.waitReady([idle], { deadlineMs: 10_000 }));
      expect(err.code).toBe('HEALTH_FAILED');
      expect(err.message).toContain('exited');
      expect((await t.status(['idle']))[0]?.state).toBe('failed');
      const diff = await t.diff([idle]);
      expect(diff.objects[0]?.change).toBe('modify');
      expect(diff.text).toMatch(/^-state: exited \(code \d+\)$/m);
      expect(diff.text).toContain('+state: running');
      expect((await t.apply([idle])).objects[0]?.action).toBe('configured');
      expect((await t.status(['idle']))[0]).toMatchObject({ state: 'ready', revision: '2' });
    });
  });
});
