// The image builder adapter with build contexts of its own: without an engine (missing socket,
// closed tcp port), and on a real Docker Engine: .dockerignore, Dockerfile path, build args and
// target, failing builds named by their step, refusals before any build call, and cancel. The
// example service build, test runs and secrets are in image-builder.test.ts; the shared suite setup
// and cleanup are in helpers.ts.
//
// Every image is tagged under a per-run repository prefix and every test container carries a
// per-run label; afterAll removes them all, plus the untagged layers failed builds leave behind.
// Without a reachable engine the suite is skipped on a developer machine but FAILS when CI is set.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { endpoint, skipDocker } from '../../support/docker-engine.js';
import { createImageBuilder } from '../../../electron/adapters/docker/image-builder.js';
import type { BuildSpec } from '../../../electron/core/ports/image-builder.js';
import {
  BASE_IMAGE,
  BUILD_TIMEOUT_MS,
  CANCEL_SETTLE_MS,
  newRun,
  noSecrets,
  rejection,
  statusCode,
  tempContexts,
  useEngineSuite,
} from './helpers.js';

describe('image builder without an engine', () => {
  const { repoPrefix: REPO_PREFIX } = newRun();
  const { makeContext, removeContexts } = tempContexts();
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
    await removeContexts();
  });
});

describe.skipIf(skipDocker)(`image builder on a real Docker Engine (${endpoint})`, () => {
  const suite = useEngineSuite();
  const { runId: RUN_ID, buildCalls, collect, spec, imageExists, makeContext } = suite;

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
      const first = await suite.builder.build(spec('ignore', dir), { redact: noSecrets, onLog: collect() });
      expect(first.cached).toBe(false);
      const listing = await suite.builder.runTest(
        { project: 'ignore', image: first.image, command: ['ls', '-A', '/ctx'], timeoutMs: 10_000 },
        { redact: noSecrets },
      );
      expect(listing.logs.sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.txt']);

      await writeFile(path.join(dir, 'secret.txt'), 'changed, still not shipped\n');
      await writeFile(path.join(dir, 'logs', 'tomorrow.log'), 'more noise\n');
      const before = buildCalls();
      const second = await suite.builder.build(spec('ignore', dir), { redact: noSecrets });
      expect(second.contentHash).toBe(first.contentHash);
      expect(second.cached).toBe(true);
      expect(buildCalls()).toBe(before);

      await writeFile(path.join(dir, 'app.txt'), 'app v2\n');
      const third = await suite.builder.build(spec('ignore', dir), { redact: noSecrets, onLog: collect() });
      expect(third.contentHash).not.toBe(first.contentHash);
      expect(third.cached).toBe(false);
      expect(buildCalls()).toBe(before + 1);
      const content = await suite.builder.runTest(
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
      const result = await suite.builder.build(
        spec('staged', dir, { dockerfile: 'ci/Dockerfile', buildArgs: { MESSAGE: `hello ${RUN_ID}` }, target: 'test' }),
        { redact: noSecrets, onLog: collect() },
      );
      const run = await suite.builder.runTest(
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
      const err = await rejection(suite.builder.build(s, { redact: noSecrets, onLog: collect() }));
      expect(err.code).toBe('BUILD_FAILED');
      expect(err.message).toContain('broken');
      expect(err.message).toContain('"RUN exit 3"');
      expect(err.message).toMatch(/non-zero code: 3/);
      expect(err.message).toContain(`before the failure ${RUN_ID}`);
      expect(err.message).toMatch(/Last log lines:\n/);
      const tail = err.message.split('Last log lines:\n')[1]?.split('\n') ?? [];
      expect(tail.length).toBeGreaterThan(0);
      expect(tail.length).toBeLessThanOrEqual(10);
      const hash = await suite.builder.contentHash(s);
      expect(await imageExists(`${s.repository}:${hash.slice(0, 16)}`)).toBe(false);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'fails on an errorDetail the engine reports inside a 200 stream (COPY of a missing file)',
    async () => {
      const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\nCOPY missing-${RUN_ID}.txt /x\n` });
      const err = await rejection(suite.builder.build(spec('nocopy', dir), { redact: noSecrets, onLog: collect() }));
      expect(err.code).toBe('BUILD_FAILED');
      expect(err.message).toContain(`"COPY missing-${RUN_ID}.txt /x"`);
    },
    BUILD_TIMEOUT_MS,
  );

  it('refuses an invalid repository with IMAGE_NAME_INVALID before any build call', async () => {
    const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\n` });
    const before = buildCalls();
    const err = await rejection(suite.builder.build(spec('bad', dir, { repository: 'Shop/Bad Name' }), { redact: noSecrets }));
    expect(err.code).toBe('IMAGE_NAME_INVALID');
    expect(err.message).toContain('Shop/Bad Name');
    expect(buildCalls()).toBe(before);
  });

  it('refuses a context without its Dockerfile, naming the path', async () => {
    const dir = await makeContext({ 'app.txt': 'x' });
    const before = buildCalls();
    const err = await rejection(suite.builder.build(spec('nodockerfile', dir), { redact: noSecrets }));
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
        suite.builder.build(s, {
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
          await suite.docker.getContainer(buildContainer!).inspect();
        } catch (e) {
          if (statusCode(e) === 404) break;
          throw e;
        }
        await delay(100);
      }
      const hash = await suite.builder.contentHash(s);
      expect(await imageExists(`${s.repository}:${hash.slice(0, 16)}`)).toBe(false);
    },
    BUILD_TIMEOUT_MS,
  );

  it('rejects a build whose signal is already aborted, without a build call', async () => {
    const dir = await makeContext({ Dockerfile: `FROM ${BASE_IMAGE}\n` });
    const before = buildCalls();
    const err = await rejection(suite.builder.build(spec('early', dir), { redact: noSecrets, signal: AbortSignal.abort() }));
    expect(err.code).toBe('CANCELLED');
    expect(buildCalls()).toBe(before);
  });
});
