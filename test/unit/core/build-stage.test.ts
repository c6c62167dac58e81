// The build stage with a fake image builder: concurrency limit, cache hits count no build call, one
// project's failure keeps the others' results, tests decide the stage, cancel stops new work, and the
// journal (over the in-memory store) gets an intent before every side effect.
import { describe, expect, it } from 'vitest';
import { type BuildRequest, type BuildStageRecorder, runBuildStage } from '../../../electron/core/build-stage.js';
import { createJournal } from '../../../electron/core/journal.js';
import { createMemoryStore } from '../../fakes/store.js';
import type { BuildSpec, ImageBuilderPort, TestResult } from '../../../electron/core/ports/image-builder.js';
import { createRedactor } from '../../../electron/core/redact.js';
import { ConvoyError } from '../../../shared/errors.js';

function spec(project: string): BuildSpec {
  return { project, contextDir: `/ws/${project}`, dockerfile: 'Dockerfile', buildArgs: {}, repository: `shop/${project}`, labels: {} };
}

function request(project: string, test: string[] | null = ['sh', '-c', 'true']): BuildRequest {
  return { project, spec: spec(project), problem: null, test: test ? { command: test, timeoutMs: 1000, env: {}, stage: null } : null };
}

interface FakeOptions {
  cached?: Set<string>;
  failBuild?: Set<string>;
  testExit?: Record<string, number | 'timeout'>;
  buildDelayMs?: number;
  logs?: Record<string, string[]>;
  /** Called once a build is in flight (its cancel listener attached). */
  onBuildStart?: (project: string) => void;
}

function fakeBuilder(options: FakeOptions = {}) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const builder: ImageBuilderPort = {
    async contentHash(s) {
      return `h-${s.project}${s.target ? `-${s.target}` : ''}`;
    },
    async build(s, opts) {
      const hash = await this.contentHash(s);
      if (options.cached?.has(s.project)) {
        return { project: s.project, image: `${s.repository}:${hash}`, contentHash: hash, imageId: 'sha256:x', cached: true, durationMs: 1 };
      }
      calls.push(`build ${s.project}${s.target ? `@${s.target}` : ''}`);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        for (const line of options.logs?.[s.project] ?? []) opts.onLog?.(opts.redact(line));
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, options.buildDelayMs ?? 5);
          opts.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new ConvoyError('CANCELLED', `${s.project}: build cancelled`));
          });
          options.onBuildStart?.(s.project);
        });
        if (options.failBuild?.has(s.project)) throw new ConvoyError('BUILD_FAILED', `${s.project}: RUN exit 3 failed`);
        return { project: s.project, image: `${s.repository}:${hash}`, contentHash: hash, imageId: 'sha256:y', cached: false, durationMs: 5 };
      } finally {
        inFlight--;
      }
    },
    async runTest(t, opts): Promise<TestResult> {
      calls.push(`test ${t.project} in ${t.image}`);
      const exit = options.testExit?.[t.project] ?? 0;
      const logs = (options.logs?.[`${t.project}:test`] ?? []).map(opts.redact);
      for (const line of logs) opts.onLog?.(line);
      return { project: t.project, image: t.image, exitCode: exit === 'timeout' ? null : exit, timedOut: exit === 'timeout', durationMs: 3, logs };
    },
  };
  return { builder, calls, maxInFlight: () => maxInFlight };
}

/** A journal over the in-memory store that also notes each intent and result as it is written. */
function recorder() {
  const entries: string[] = [];
  const lines: string[] = [];
  const store = createMemoryStore();
  store.createRun({ id: 'run', kind: 'build', workspace: '/ws', base: null, head: null });
  const noting = {
    recordIntent: (step: Parameters<typeof store.recordIntent>[0]) => {
      entries.push(`intent ${step.kind} ${step.target}`);
      return store.recordIntent(step);
    },
    recordResult: (stepId: number, result: { ok: boolean; detail: null | import('../../../electron/core/ports/json.js').JsonValue }) => {
      entries.push(`result ${stepId} ${result.ok}`);
      return store.recordResult(stepId, result);
    },
  };
  const rec: BuildStageRecorder = {
    journal: createJournal({ store: noting, runId: 'run', redact: createRedactor([]) }),
    log: (project, phase, line) => void lines.push(`${project}/${phase}: ${line}`),
  };
  return { rec, entries, lines };
}

const identity = createRedactor([]);

describe('runBuildStage', () => {
  it('builds and tests every project, never more than `concurrency` at once', async () => {
    const fake = fakeBuilder({ buildDelayMs: 20 });
    const names = ['a', 'b', 'c', 'd', 'e'];
    const result = await runBuildStage(names.map((n) => request(n)), { builder: fake.builder, redact: identity, concurrency: 2 });
    expect(result.ok).toBe(true);
    expect(result.buildCalls).toBe(5);
    expect(fake.maxInFlight()).toBe(2);
    expect(result.projects.map((p) => [p.project, p.status, p.test.status])).toEqual(names.map((n) => [n, 'built', 'passed']));
    expect(result.projects[0]!.image).toBe('shop/a:h-a');
  });

  it('counts no build call for a cached image and still runs its tests', async () => {
    const fake = fakeBuilder({ cached: new Set(['a', 'b']) });
    const result = await runBuildStage([request('a'), request('b')], { builder: fake.builder, redact: identity, concurrency: 4 });
    expect(result.buildCalls).toBe(0);
    expect(result.projects.map((p) => p.status)).toEqual(['cached', 'cached']);
    expect(fake.calls).toEqual(['test a in shop/a:h-a', 'test b in shop/b:h-b']);
  });

  it('keeps other projects’ results when one build fails, and fails the stage', async () => {
    const fake = fakeBuilder({ failBuild: new Set(['b']) });
    const result = await runBuildStage([request('a'), request('b'), request('c')], { builder: fake.builder, redact: identity, concurrency: 1 });
    expect(result.ok).toBe(false);
    const b = result.projects[1]!;
    expect(b).toMatchObject({ status: 'failed', error: { code: 'BUILD_FAILED' }, test: { status: 'not-run' } });
    expect(result.projects[0]!.status).toBe('built');
    expect(result.projects[2]!.status).toBe('built');
  });

  it('fails the stage on a failing or timed-out test, with a code for each', async () => {
    const fake = fakeBuilder({ testExit: { a: 1, b: 'timeout' }, logs: { 'a:test': ['FAIL: totals'] } });
    const result = await runBuildStage([request('a'), request('b'), request('c')], { builder: fake.builder, redact: identity, concurrency: 3 });
    expect(result.ok).toBe(false);
    expect(result.projects[0]).toMatchObject({ status: 'built', error: { code: 'TEST_FAILED' }, test: { status: 'failed', exitCode: 1, logTail: ['FAIL: totals'] } });
    expect(result.projects[1]).toMatchObject({ error: { code: 'TEST_TIMEOUT' }, test: { status: 'timed-out' } });
    expect(result.projects[2]).toMatchObject({ error: null, test: { status: 'passed' } });
  });

  it('reports a project that cannot be built with its problem, without calling the builder for it', async () => {
    const fake = fakeBuilder();
    const broken: BuildRequest = { project: 'lib', spec: null, problem: { code: 'NO_DOCKERFILE', message: 'lib has no Dockerfile' }, test: null };
    const result = await runBuildStage([broken, request('a')], { builder: fake.builder, redact: identity, concurrency: 2 });
    expect(result.projects[0]).toMatchObject({ status: 'failed', error: { code: 'NO_DOCKERFILE' }, test: { status: 'none' } });
    expect(fake.calls.some((c) => c.includes('lib'))).toBe(false);
    expect(result.ok).toBe(false);
  });

  it('builds the test stage and runs the tests in it when one is configured', async () => {
    const fake = fakeBuilder();
    const req = request('a');
    req.test = { ...req.test!, stage: 'test' };
    await runBuildStage([req], { builder: fake.builder, redact: identity, concurrency: 1 });
    expect(fake.calls).toEqual(['build a', 'build a@test', 'test a in shop/a:h-a-test']);
  });

  it('cancel stops in-flight builds and starts no new ones', async () => {
    const controller = new AbortController();
    const fake = fakeBuilder({ buildDelayMs: 10_000, onBuildStart: () => controller.abort() });
    const result = await runBuildStage(['a', 'b', 'c'].map((n) => request(n)), { builder: fake.builder, redact: identity, concurrency: 1, signal: controller.signal });
    expect(result.projects.map((p) => p.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(fake.calls).toEqual(['build a']);
    expect(result.ok).toBe(false);
  });

  it('records an intent before each build and test, a result after, and only redacted log lines', async () => {
    const fake = fakeBuilder({ logs: { a: ['Step 1/2 : RUN echo tok-12345678'], 'a:test': ['token is tok-12345678'] } });
    const { rec, entries, lines } = recorder();
    await runBuildStage([request('a')], { builder: fake.builder, redact: createRedactor(['tok-12345678']), concurrency: 1, recorder: rec });
    expect(entries).toEqual(['intent docker.build a', 'result 1 true', 'intent docker.test a', 'result 2 true']);
    expect(lines).toEqual(['a/build: Step 1/2 : RUN echo [redacted]', 'a/test: token is [redacted]']);
  });
});
