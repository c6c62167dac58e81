// The image builder adapter against a real Docker Engine: content-hashed tags with OCI labels, the
// cache skip (proved by counting build calls on the dockerode instance), .dockerignore, failing
// builds named by their step, cancel, test runs (pass, fail, hang), and planted secrets that must
// never reach a log line in any form.
//
// Every image is tagged under a per-run repository prefix and every test container carries a
// per-run label; afterAll removes them all, plus the untagged layers failed builds leave behind.
// Without a reachable engine the suite is skipped on a developer machine but FAILS when CI is set.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dockerOptions } from '../../../electron/adapters/docker/docker-engine.js';
import { endpoint, requireDocker, skipDocker } from '../../support/docker-engine.js';
import { LABEL_CONTENT_HASH, createImageBuilder } from '../../../electron/adapters/docker/image-builder.js';
import type { BuildSpec, ImageBuilderPort } from '../../../electron/core/ports/image-builder.js';
import { REDACTED, createRedactor, secretForms } from '../../../electron/core/redact.js';
import { ConvoyError } from '../../../shared/errors.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CATALOG_DIR = path.join(REPO_ROOT, 'examples', 'shop', 'services', 'catalog-api');
const BASE_IMAGE = 'busybox:1.36.1';

const RUN_ID = randomBytes(4).toString('hex');
const REPO_PREFIX = `convoy-test-${RUN_ID}`;
const RUN_LABEL = 'dev.convoy.test-run';

const BUILD_TIMEOUT_MS = 60_000;
const CANCEL_SETTLE_MS = 20_000;



function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

async function rejection(work: Promise<unknown>): Promise<ConvoyError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ConvoyError) return err;
    throw err;
  }
  throw new Error('expected the call to fail with a ConvoyError');
}

const tempDirs: string[] = [];

async function makeContext(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'convoy-build-'));
  tempDirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

const noSecrets = (line: string) => line;

describe('image builder without an engine', () => {
  const spec = (contextDir: string): BuildSpec => ({
    project: 'svc',
    contextDir,
    dockerfile: 'Dockerfile',
    buildArgs: {},
    repository: `${REPO_PREFIX}/svc`,
    labels: {},
  });

  it('says how to start Docker or set DOCKER_HOST when the socket is missing', async () => {
    const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\n` });
    const missing = 'unix:///nonexistent/convoy-test/docker.sock';
    const err = await rejection(createImageBuilder({ endpoint: missing }).build(spec(dir), { redact: noSecrets }));
    expect(err.code).toBe('DOCKER_UNAVAILABLE');
    expect(err.message).toContain(missing);
    expect(err.message).toMatch(/start Docker/);
    expect(err.message).toContain('DOCKER_HOST');
  });

  it('says the same for a tcp endpoint nobody listens on', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\n` });
    const closed = `tcp://127.0.0.1:${port}`;
    const builder = createImageBuilder({ endpoint: closed });
    const err = await rejection(builder.build(spec(dir), { redact: noSecrets }));
    expect(err.code).toBe('DOCKER_UNAVAILABLE');
    expect(err.message).toContain(closed);
    const testErr = await rejection(
      builder.runTest({ project: 'svc', image: BASE_IMAGE, command: ['true'], timeoutMs: 1_000 }, { redact: noSecrets }),
    );
    expect(testErr.code).toBe('DOCKER_UNAVAILABLE');
  });

  afterAll(async () => {
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
});

describe.skipIf(skipDocker)(`image builder on a real Docker Engine (${endpoint})`, () => {
  let docker!: Docker;
  let builder!: ImageBuilderPort;
  let buildCalls!: () => number;
  let connected = false;
  /** Ids from ` ---> <id>` lines: layers a failed build may leave untagged. */
  const layerIds = new Set<string>();
  let catalogImage = '';

  /** onLog that also remembers layer ids for cleanup. */
  function collect(into: string[] = []): (line: string) => void {
    return (line) => {
      into.push(line);
      const layer = / ---> ([0-9a-f]{12})$/.exec(line);
      if (layer?.[1]) layerIds.add(layer[1]);
    };
  }

  function spec(project: string, contextDir: string, extra: Partial<BuildSpec> = {}): BuildSpec {
    return {
      project,
      contextDir,
      dockerfile: 'Dockerfile',
      buildArgs: {},
      repository: `${REPO_PREFIX}/${project}`,
      labels: {
        'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
        'org.opencontainers.image.created': '2030-01-02T03:04:05Z',
        'dev.convoy.release': `rel-${RUN_ID}`,
      },
      ...extra,
    };
  }

  async function imageExists(ref: string): Promise<boolean> {
    try {
      await docker.getImage(ref).inspect();
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw err;
    }
  }

  async function runLabelledContainers(): Promise<Docker.ContainerInfo[]> {
    return docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${RUN_ID}`] } });
  }

  beforeAll(async () => {
    requireDocker();
    docker = new Docker(dockerOptions(endpoint));
    connected = true;
    if (!(await imageExists(BASE_IMAGE))) throw new Error(`base image ${BASE_IMAGE} is missing: run bash scripts/seed-base-image.sh`);
    const spy = vi.spyOn(docker, 'buildImage');
    buildCalls = () => spy.mock.calls.length;
    builder = createImageBuilder({ docker, endpoint, containerLabels: { [RUN_LABEL]: RUN_ID } });
  });

  afterAll(async () => {
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    if (!connected) return;
    const problems: string[] = [];
    const ignorable = (err: unknown) => statusCode(err) === 404 || statusCode(err) === 409;
    for (const info of await runLabelledContainers()) {
      await docker
        .getContainer(info.Id)
        .remove({ force: true, v: true })
        .catch((err: unknown) => {
          if (!ignorable(err)) problems.push(`container ${info.Id}: ${String(err)}`);
        });
    }
    const ours = await docker.listImages({ filters: { reference: [`${REPO_PREFIX}/*`] } });
    for (const tag of ours.flatMap((image) => image.RepoTags ?? [])) {
      if (!tag.startsWith(`${REPO_PREFIX}/`)) continue;
      await docker
        .getImage(tag)
        .remove()
        .catch((err: unknown) => {
          if (!ignorable(err)) problems.push(`image ${tag}: ${String(err)}`);
        });
    }
    // Newest first, untagged only, never forced: a layer something else builds on stays.
    for (const id of [...layerIds].reverse()) {
      try {
        const info = await docker.getImage(id).inspect();
        if ((info.RepoTags ?? []).length > 0) continue;
        await docker.getImage(id).remove();
      } catch (err) {
        if (!ignorable(err)) problems.push(`layer ${id}: ${String(err)}`);
      }
    }
    if (problems.length > 0) throw new Error(`cleanup failed:\n${problems.join('\n')}`);
  });

  it(
    'builds an example service as <repository>:<content hash> with the OCI and Convoy labels',
    async () => {
      const lines: string[] = [];
      const before = buildCalls();
      const s = spec('catalog-api', CATALOG_DIR);
      const result = await builder.build(s, { redact: noSecrets, onLog: collect(lines) });
      expect(buildCalls()).toBe(before + 1);
      expect(result.cached).toBe(false);
      expect(result.contentHash).toBe(await builder.contentHash(s));
      expect(result.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(result.image).toBe(`${REPO_PREFIX}/catalog-api:${result.contentHash.slice(0, 16)}`);
      catalogImage = result.image;

      const info = await docker.getImage(result.image).inspect();
      expect(info.Id).toBe(result.imageId);
      expect(info.RepoTags).not.toContain(`${REPO_PREFIX}/catalog-api:latest`);
      expect(info.Config.Labels).toMatchObject({
        'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
        'org.opencontainers.image.created': '2030-01-02T03:04:05Z',
        'dev.convoy.release': `rel-${RUN_ID}`,
        'dev.convoy.project': 'catalog-api',
        [LABEL_CONTENT_HASH]: result.contentHash,
        'org.opencontainers.image.title': 'shop/catalog-api', // the Dockerfile's own LABEL survives
      });
      // Progress came line by line.
      expect(lines.length).toBeGreaterThan(3);
      expect(lines.every((line) => !line.includes('\n'))).toBe(true);
      expect(lines.some((line) => /^Step \d+\/\d+ : COPY www\/ \/www\/$/.test(line))).toBe(true);
    },
    BUILD_TIMEOUT_MS,
  );

  it('skips an unchanged build with no build call at all', async () => {
    expect(catalogImage).not.toBe('');
    const before = buildCalls();
    const result = await builder.build(spec('catalog-api', CATALOG_DIR, { labels: { 'dev.convoy.release': 'another' } }), {
      redact: noSecrets,
    });
    expect(buildCalls()).toBe(before);
    expect(result.cached).toBe(true);
    expect(result.image).toBe(catalogImage);
    expect(result.imageId).toBe((await docker.getImage(catalogImage).inspect()).Id);
  });

  it(
    'runs the example test command in the image, with no network, and removes the container',
    async () => {
      const pkg = JSON.parse(await readFile(path.join(CATALOG_DIR, 'package.json'), 'utf8')) as { convoy: { test: string[] } };
      const lines: string[] = [];
      const result = await builder.runTest(
        { project: 'catalog-api', image: catalogImage, command: pkg.convoy.test, timeoutMs: 20_000 },
        { redact: noSecrets, onLog: (line) => lines.push(line) },
      );
      expect(result.exitCode, result.logs.join('\n')).toBe(0);
      expect(result.timedOut).toBe(false);
      expect(result.logs).toContain('catalog-api: all checks passed');
      expect(lines).toEqual(result.logs);

      const net = await builder.runTest(
        { project: 'catalog-api', image: catalogImage, command: ['ls', '/sys/class/net'], timeoutMs: 10_000 },
        { redact: noSecrets },
      );
      expect(net.logs).toEqual(['lo']); // loopback only: the container has no network
      expect(await runLabelledContainers()).toEqual([]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'honours .dockerignore: an ignored file is not in the image and changing it keeps the hash (no rebuild)',
    async () => {
      const dir = await makeContext({
        Dockerfile: `FROM ${BASE_IMAGE}\nCOPY . /ctx/\n`,
        '.dockerignore': 'secret.txt\nlogs\n',
        'app.txt': 'app v1\n',
        'secret.txt': 'do not ship\n',
        'logs/today.log': 'noise\n',
      });
      const first = await builder.build(spec('ignore', dir), { redact: noSecrets, onLog: collect() });
      expect(first.cached).toBe(false);
      const listing = await builder.runTest(
        { project: 'ignore', image: first.image, command: ['ls', '-A', '/ctx'], timeoutMs: 10_000 },
        { redact: noSecrets },
      );
      expect(listing.logs.sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.txt']);

      await writeFile(path.join(dir, 'secret.txt'), 'changed, still not shipped\n');
      await writeFile(path.join(dir, 'logs', 'tomorrow.log'), 'more noise\n');
      const before = buildCalls();
      const second = await builder.build(spec('ignore', dir), { redact: noSecrets });
      expect(second.contentHash).toBe(first.contentHash);
      expect(second.cached).toBe(true);
      expect(buildCalls()).toBe(before);

      await writeFile(path.join(dir, 'app.txt'), 'app v2\n');
      const third = await builder.build(spec('ignore', dir), { redact: noSecrets, onLog: collect() });
      expect(third.contentHash).not.toBe(first.contentHash);
      expect(third.cached).toBe(false);
      expect(buildCalls()).toBe(before + 1);
      const content = await builder.runTest(
        { project: 'ignore', image: third.image, command: ['cat', '/ctx/app.txt'], timeoutMs: 10_000 },
        { redact: noSecrets },
      );
      expect(content.logs).toEqual(['app v2']);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'passes the Dockerfile path, build args and target',
    async () => {
      const dir = await makeContext({
        'ci/Dockerfile': [
          `FROM ${BASE_IMAGE} AS base`,
          'ARG MESSAGE',
          'RUN echo "$MESSAGE" > /message',
          'FROM base AS test',
          'RUN echo test > /stage',
          'FROM base AS prod',
          'RUN echo prod > /stage',
          '',
        ].join('\n'),
      });
      const result = await builder.build(
        spec('staged', dir, { dockerfile: 'ci/Dockerfile', buildArgs: { MESSAGE: `hello ${RUN_ID}` }, target: 'test' }),
        { redact: noSecrets, onLog: collect() },
      );
      const run = await builder.runTest(
        { project: 'staged', image: result.image, command: ['cat', '/message', '/stage'], timeoutMs: 10_000 },
        { redact: noSecrets },
      );
      expect(run.logs).toEqual([`hello ${RUN_ID}`, 'test']);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'fails a broken Dockerfile with BUILD_FAILED naming the project, the step and the last log lines',
    async () => {
      const dir = await makeContext({
        Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo "before the failure ${RUN_ID}"\nRUN exit 3\n`,
      });
      const s = spec('broken', dir);
      const err = await rejection(builder.build(s, { redact: noSecrets, onLog: collect() }));
      expect(err.code).toBe('BUILD_FAILED');
      expect(err.message).toContain('broken');
      expect(err.message).toContain('"RUN exit 3"');
      expect(err.message).toMatch(/non-zero code: 3/);
      expect(err.message).toContain(`before the failure ${RUN_ID}`);
      expect(err.message).toMatch(/Last log lines:\n/);
      const tail = err.message.split('Last log lines:\n')[1]?.split('\n') ?? [];
      expect(tail.length).toBeGreaterThan(0);
      expect(tail.length).toBeLessThanOrEqual(10);
      const hash = await builder.contentHash(s);
      expect(await imageExists(`${s.repository}:${hash.slice(0, 16)}`)).toBe(false);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'fails on an errorDetail the engine reports inside a 200 stream (COPY of a missing file)',
    async () => {
      const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\nCOPY missing-${RUN_ID}.txt /x\n` });
      const err = await rejection(builder.build(spec('nocopy', dir), { redact: noSecrets, onLog: collect() }));
      expect(err.code).toBe('BUILD_FAILED');
      expect(err.message).toContain(`"COPY missing-${RUN_ID}.txt /x"`);
    },
    BUILD_TIMEOUT_MS,
  );

  it('refuses an invalid repository with IMAGE_NAME_INVALID before any build call', async () => {
    const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\n` });
    const before = buildCalls();
    const err = await rejection(builder.build(spec('bad', dir, { repository: 'Shop/Bad Name' }), { redact: noSecrets }));
    expect(err.code).toBe('IMAGE_NAME_INVALID');
    expect(err.message).toContain('Shop/Bad Name');
    expect(buildCalls()).toBe(before);
  });

  it('refuses a context without its Dockerfile, naming the path', async () => {
    const dir = await makeContext({ 'app.txt': 'x' });
    const before = buildCalls();
    const err = await rejection(builder.build(spec('nodockerfile', dir), { redact: noSecrets }));
    expect(err.code).toBe('NO_DOCKERFILE');
    expect(err.message).toContain(path.join(dir, 'Dockerfile'));
    expect(buildCalls()).toBe(before);
  });

  it(
    'cancels a build in flight: CANCELLED, and no image is ever tagged for that hash',
    async () => {
      const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo "slow ${RUN_ID}" && sleep 5\n` });
      const s = spec('slow', dir);
      const controller = new AbortController();
      let buildContainer: string | null = null;
      const onLog = collect();
      const err = await rejection(
        builder.build(s, {
          redact: noSecrets,
          signal: controller.signal,
          onLog: (line) => {
            onLog(line);
            const running = / ---> Running in ([0-9a-f]{12})$/.exec(line);
            if (running?.[1]) {
              buildContainer = running[1];
              controller.abort();
            }
          },
        }),
      );
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('slow');
      expect(buildContainer).not.toBeNull();
      // The engine stops the step and removes its container; wait for that before looking for a tag.
      const deadline = Date.now() + CANCEL_SETTLE_MS;
      while (Date.now() < deadline) {
        try {
          await docker.getContainer(buildContainer!).inspect();
        } catch (e) {
          if (statusCode(e) === 404) break;
          throw e;
        }
        await delay(100);
      }
      const hash = await builder.contentHash(s);
      expect(await imageExists(`${s.repository}:${hash.slice(0, 16)}`)).toBe(false);
    },
    BUILD_TIMEOUT_MS,
  );

  it('rejects a build whose signal is already aborted, without a build call', async () => {
    const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\n` });
    const before = buildCalls();
    const err = await rejection(builder.build(spec('early', dir), { redact: noSecrets, signal: AbortSignal.abort() }));
    expect(err.code).toBe('CANCELLED');
    expect(buildCalls()).toBe(before);
  });

  it(
    'reports a failing test as a result with its output (exit 1), not an error',
    async () => {
      const result = await builder.runTest(
        {
          project: 'catalog-api',
          image: catalogImage,
          command: ['sh', '-c', 'echo "on stdout"; echo "on stderr" >&2; exit 1'],
          timeoutMs: 10_000,
        },
        { redact: noSecrets },
      );
      expect(result.exitCode).toBe(1);
      expect(result.timedOut).toBe(false);
      expect(result.logs).toContain('on stdout');
      expect(result.logs).toContain('on stderr');
      expect(await runLabelledContainers()).toEqual([]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'kills a hanging test at its timeout, reports timedOut and removes the container',
    async () => {
      const result = await builder.runTest(
        { project: 'catalog-api', image: catalogImage, command: ['sh', '-c', 'echo started; sleep 60'], timeoutMs: 1_500 },
        { redact: noSecrets },
      );
      expect(result.timedOut).toBe(true);
      expect(result.exitCode).toBeNull();
      expect(result.logs).toEqual(['started']);
      expect(await runLabelledContainers()).toEqual([]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'cancels a running test: CANCELLED, and the container is removed',
    async () => {
      const controller = new AbortController();
      const err = await rejection(
        builder.runTest(
          { project: 'catalog-api', image: catalogImage, command: ['sh', '-c', 'echo started; sleep 60'], timeoutMs: 30_000 },
          { redact: noSecrets, signal: controller.signal, onLog: (line) => line === 'started' && controller.abort() },
        ),
      );
      expect(err.code).toBe('CANCELLED');
      expect(await runLabelledContainers()).toEqual([]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'keeps planted secrets out of every build and test line, plain and base64',
    async () => {
      const secret = `s3cret-${RUN_ID}-Tok3n`;
      const redact = createRedactor([secret]);
      const forbidden = secretForms(secret);
      expect(forbidden.length).toBeGreaterThan(2);
      const leaks = (lines: string[]) => lines.filter((line) => forbidden.some((form) => line.includes(form)));

      const dir = await makeContext({
        Dockerfile: `FROM ${BASE_IMAGE}\nARG TOKEN\nRUN echo "$TOKEN" && echo -n "$TOKEN" | base64 && echo -n "user:$TOKEN" | base64\n`,
      });
      const buildLines: string[] = [];
      await builder.build(spec('secrets', dir, { buildArgs: { TOKEN: secret } }), { redact, onLog: collect(buildLines) });
      expect(leaks(buildLines)).toEqual([]);
      expect(buildLines.filter((line) => line.includes(REDACTED)).length).toBeGreaterThanOrEqual(3);

      const testLines: string[] = [];
      const result = await builder.runTest(
        {
          project: 'secrets',
          image: catalogImage,
          command: ['sh', '-c', 'echo "plain $SECRET"; printf %s "$SECRET" | base64; echo "$SECRET" >&2; echo "x$SECRET" | base64'],
          env: { SECRET: secret },
          timeoutMs: 10_000,
        },
        { redact, onLog: (line) => testLines.push(line) },
      );
      expect(result.exitCode).toBe(0);
      expect(testLines).toEqual(result.logs);
      expect(leaks(result.logs)).toEqual([]);
      expect(result.logs).toContain(`plain ${REDACTED}`);
      expect(result.logs.filter((line) => line.includes(REDACTED))).toHaveLength(4);
    },
    BUILD_TIMEOUT_MS,
  );
});
