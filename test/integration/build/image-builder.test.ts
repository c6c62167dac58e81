// The image builder adapter against a real Docker Engine, on the example catalog-api service:
// content-hashed tags with OCI labels, the cache skip (proved by counting build calls on the
// dockerode instance), test runs in the built image (pass, fail, hang, cancel), and planted secrets
// that must never reach a log line in any form. Build contexts, failing builds and build cancel are
// in image-builder-contexts.test.ts; the shared suite setup and cleanup are in helpers.ts.
//
// Every image is tagged under a per-run repository prefix and every test container carries a
// per-run label; afterAll removes them all, plus the untagged layers failed builds leave behind.
// Without a reachable engine the suite is skipped on a developer machine but FAILS when CI is set.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpoint, skipDocker } from '../../support/docker-engine.js';
import { LABEL_CONTENT_HASH } from '../../../electron/adapters/docker/image-builder.js';
import { REDACTED, createRedactor, secretForms } from '../../../electron/core/redact.js';
import { BASE_IMAGE, BUILD_TIMEOUT_MS, CATALOG_DIR, noSecrets, rejection, useEngineSuite } from './helpers.js';

describe.skipIf(skipDocker)(`image builder on a real Docker Engine (${endpoint})`, () => {
  const suite = useEngineSuite();
  const { runId: RUN_ID, repoPrefix: REPO_PREFIX, buildCalls, collect, spec, runLabelledContainers, makeContext } = suite;
  let catalogImage = '';

  it(
    'builds an example service as <repository>:<content hash> with the OCI and Convoy labels',
    async () => {
      const lines: string[] = [];
      const before = buildCalls();
      const s = spec('catalog-api', CATALOG_DIR);
      const result = await suite.builder.build(s, { redact: noSecrets, onLog: collect(lines) });
      expect(buildCalls()).toBe(before + 1);
      expect(result.cached).toBe(false);
      expect(result.contentHash).toBe(await suite.builder.contentHash(s));
      expect(result.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(result.image).toBe(`${REPO_PREFIX}/catalog-api:${result.contentHash.slice(0, 16)}`);
      catalogImage = result.image;

      const info = await suite.docker.getImage(result.image).inspect();
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
    const result = await suite.builder.build(spec('catalog-api', CATALOG_DIR, { labels: { 'dev.convoy.release': 'another' } }), {
      redact: noSecrets,
    });
    expect(buildCalls()).toBe(before);
    expect(result.cached).toBe(true);
    expect(result.image).toBe(catalogImage);
    expect(result.imageId).toBe((await suite.docker.getImage(catalogImage).inspect()).Id);
  });

  it(
    'runs the example test command in the image, with no network, and removes the container',
    async () => {
      const pkg = JSON.parse(await readFile(path.join(CATALOG_DIR, 'package.json'), 'utf8')) as { convoy: { test: string[] } };
      const lines: string[] = [];
      const result = await suite.builder.runTest(
        { project: 'catalog-api', image: catalogImage, command: pkg.convoy.test, timeoutMs: 20_000 },
        { redact: noSecrets, onLog: (line) => lines.push(line) },
      );
      expect(result.exitCode, result.logs.join('\n')).toBe(0);
      expect(result.timedOut).toBe(false);
      expect(result.logs).toContain('catalog-api: all checks passed');
      expect(lines).toEqual(result.logs);

      const net = await suite.builder.runTest(
        { project: 'catalog-api', image: catalogImage, command: ['ls', '/sys/class/net'], timeoutMs: 10_000 },
        { redact: noSecrets },
      );
      expect(net.logs).toEqual(['lo']); // loopback only: the container has no network
      expect(await runLabelledContainers()).toEqual([]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'reports a failing test as a result with its output (exit 1), not an error',
    async () => {
      const result = await suite.builder.runTest(
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
      const result = await suite.builder.runTest(
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
        suite.builder.runTest(
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
      await suite.builder.build(spec('secrets', dir, { buildArgs: { TOKEN: secret } }), { redact, onLog: collect(buildLines) });
      expect(leaks(buildLines)).toEqual([]);
      expect(buildLines.filter((line) => line.includes(REDACTED)).length).toBeGreaterThanOrEqual(3);

      const testLines: string[] = [];
      const result = await suite.builder.runTest(
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
