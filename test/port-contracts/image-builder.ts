// One contract for every ImageBuilderPort: the same assertions run on the Docker adapter
// (test/integration/port-contracts/image-builder-docker.test.ts) and on the in-memory fake
// (test/unit/fakes/image-builder.test.ts): content hashes, tags, cache hits, redaction of every line,
// failed builds and failing tests as results.
import { describe, expect, it } from 'vitest';
import type { BuildSpec, ImageBuilderPort } from '../../electron/core/ports/image-builder.js';

export interface ImageBuilderBackend {
  name: string;
  builder: () => ImageBuilderPort;
  /** A build context holding these files (the fake only remembers what they hash to). */
  context: (files: Record<string, string>) => Promise<string>;
  spec: (project: string, contextDir: string, extra?: Partial<BuildSpec>) => BuildSpec;
  /** Build calls made so far (cache hits make none). */
  buildCalls: () => number;
  /** Sees every log line too (the real suite collects layer ids to clean up). */
  watch?: (line: string) => void;
  /** What the fake must be told so that `broken`'s build and `failing`'s tests fail as the real ones do. */
  script?: { failBuild: (project: string) => void; test: (project: string, exitCode: number, lines: string[]) => void };
}

const FROM = 'FROM busybox:1.36.1\n';

async function rejectionOf(work: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await work;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the call to fail');
}

/** Registers the contract's tests; call inside a describe whose beforeAll prepares `backend`. */
export function imageBuilderContract(backend: ImageBuilderBackend): void {
  const marked = (line: string) => `[redacted] ${line}`;
  const options = (lines: string[]) => ({
    redact: marked,
    onLog: (line: string) => {
      lines.push(line);
      backend.watch?.(line);
    },
  });

  describe.sequential(`ImageBuilderPort contract (${backend.name})`, () => {
    let dir = '';

    it('hashes the build inputs: the same content anywhere alike, other content or args otherwise', async () => {
      const builder = backend.builder();
      dir = await backend.context({ Dockerfile: `${FROM}COPY app.txt /app.txt\n`, 'app.txt': 'one\n' });
      const twin = await backend.context({ Dockerfile: `${FROM}COPY app.txt /app.txt\n`, 'app.txt': 'one\n' });
      const other = await backend.context({ Dockerfile: `${FROM}COPY app.txt /app.txt\n`, 'app.txt': 'two\n' });
      const hash = await builder.contentHash(backend.spec('contract-ok', dir));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await builder.contentHash(backend.spec('contract-ok', dir))).toBe(hash);
      expect(await builder.contentHash(backend.spec('contract-ok', twin))).toBe(hash);
      expect(await builder.contentHash(backend.spec('contract-ok', other))).not.toBe(hash);
      expect(await builder.contentHash(backend.spec('contract-ok', dir, { buildArgs: { MODE: 'debug' } }))).not.toBe(hash);
    });

    it('tags the image with the content hash, and answers a second build from the cache', async () => {
      const builder = backend.builder();
      const spec = backend.spec('contract-ok', dir);
      const hash = await builder.contentHash(spec);
      const before = backend.buildCalls();
      const lines: string[] = [];
      const first = await builder.build(spec, options(lines));
      expect(first).toMatchObject({ project: 'contract-ok', image: `${spec.repository}:${hash.slice(0, 16)}`, contentHash: hash, cached: false });
      expect(backend.buildCalls()).toBe(before + 1);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((line) => line.startsWith('[redacted] '))).toBe(true);

      const second = await builder.build(spec, options([]));
      expect(second).toMatchObject({ image: first.image, imageId: first.imageId, cached: true });
      expect(backend.buildCalls()).toBe(before + 1);
    });

    it('fails a build whose step fails with BUILD_FAILED', async () => {
      const broken = await backend.context({ Dockerfile: `${FROM}RUN exit 3\n` });
      backend.script?.failBuild('contract-broken');
      const error = await rejectionOf(backend.builder().build(backend.spec('contract-broken', broken), options([])));
      expect(error).toMatchObject({ code: 'BUILD_FAILED' });
    });

    it('runs tests in the image: a failing command is a result, every line redacted', async () => {
      const builder = backend.builder();
      const { image } = await builder.build(backend.spec('contract-ok', dir), options([]));
      backend.script?.test('contract-ok', 0, ['PASS: contract']);
      const passed = await builder.runTest({ project: 'contract-ok', image, command: ['sh', '-c', 'echo PASS: contract'], timeoutMs: 20_000 }, options([]));
      expect(passed).toMatchObject({ project: 'contract-ok', image, exitCode: 0, timedOut: false, logs: ['[redacted] PASS: contract'] });

      backend.script?.test('contract-ok', 1, ['FAIL: totals']);
      const lines: string[] = [];
      const failed = await builder.runTest({ project: 'contract-ok', image, command: ['sh', '-c', 'echo FAIL: totals; exit 1'], timeoutMs: 20_000 }, options(lines));
      expect(failed).toMatchObject({ exitCode: 1, timedOut: false, logs: ['[redacted] FAIL: totals'] });
      expect(lines).toEqual(['[redacted] FAIL: totals']);
    });

    it('answers CANCELLED to a build whose signal was aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await rejectionOf(backend.builder().build(backend.spec('contract-ok', dir, { buildArgs: { FRESH: '1' } }), { ...options([]), signal: controller.signal }));
      expect(error).toMatchObject({ code: 'CANCELLED' });
    });
  });
}
