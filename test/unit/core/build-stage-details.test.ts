// The build stage's details that the broader tests (build-stage.test.ts) do not pin: the progress lines
// and fractions, what each journal step records as intent and result, the error texts, the log tail,
// a test stage that fails to build, intermediate layers and logs with and without a recorder.
// A scripted builder over the in-memory store; nothing waits on time.
import { describe, expect, it } from 'vitest';
import { type BuildRequest, type BuildStageRecorder, runBuildStage } from '../../../electron/core/build-stage.js';
import { createJournal } from '../../../electron/core/journal.js';
import { createRedactor } from '../../../electron/core/redact.js';
import type { BuildSpec, ImageBuilderPort } from '../../../electron/core/ports/image-builder.js';
import { ConvoyError } from '../../../shared/errors.js';
import { createMemoryStore } from '../../fakes/store.js';

const identity = createRedactor([]);

function request(project: string, test: Partial<NonNullable<BuildRequest['test']>> | null = {}): BuildRequest {
  const spec: BuildSpec = { project, contextDir: `/ws/${project}`, dockerfile: 'Dockerfile', buildArgs: {}, repository: `shop/${project}`, labels: {} };
  return { project, spec, problem: null, test: test === null ? null : { command: ['npm', 'test'], timeoutMs: 1000, env: {}, stage: null, ...test } };
}

interface Script {
  /** Exit code per project, or 'timeout'. */
  exit?: Record<string, number | 'timeout'>;
  /** Lines each build prints and layers it commits. */
  buildLogs?: string[];
  layers?: string[];
  testLogs?: string[];
  /** Builds of this target fail. */
  failTarget?: string;
}

function scripted(script: Script = {}): ImageBuilderPort {
  return {
    contentHash: async (s) => `h-${s.project}${s.target ? `-${s.target}` : ''}`,
    async build(s, opts) {
      if (s.target !== undefined && s.target === script.failTarget) throw new ConvoyError('BUILD_FAILED', `${s.project}: stage ${s.target} failed`);
      for (const line of script.buildLogs ?? []) opts.onLog?.(line);
      for (const layer of script.layers ?? []) opts.onLayer?.(layer);
      const hash = await this.contentHash(s);
      return { project: s.project, image: `${s.repository}:${hash}`, contentHash: hash, imageId: `sha256:${hash}`, cached: false, durationMs: 7 };
    },
    async runTest(t, opts) {
      const exit = script.exit?.[t.project] ?? 0;
      for (const line of script.testLogs ?? []) opts.onLog?.(line);
      return { project: t.project, image: t.image, exitCode: exit === 'timeout' ? null : exit, timedOut: exit === 'timeout', durationMs: 3, logs: script.testLogs ?? [] };
    },
  };
}

function recording() {
  const store = createMemoryStore();
  store.createRun({ id: 'run', kind: 'build', workspace: '/ws', base: null, head: null });
  const logs: string[] = [];
  const layers: string[] = [];
  const rec: BuildStageRecorder = {
    journal: createJournal({ store, runId: 'run', redact: identity }),
    log: (project, phase, line) => void logs.push(`${project}/${phase}: ${line}`),
    layer: (project, imageId) => void layers.push(`${project} ${imageId}`),
  };
  return { rec, logs, layers, steps: () => store.listSteps('run').map((s) => ({ kind: s.kind, target: s.target, detail: s.detail, ok: s.ok, result: s.result })) };
}

describe('runBuildStage details', () => {
  it('reports each phase of each project with the share of projects done', async () => {
    const seen: Array<[string, number | null | undefined]> = [];
    await runBuildStage([request('a', { stage: 'test' }), request('b', null)], {
      builder: scripted(),
      redact: identity,
      concurrency: 1,
      progress: (message, fraction) => void seen.push([message, fraction]),
    });
    expect(seen).toEqual([
      ['a: building', 0],
      ['a: building test stage test', 0],
      ['a: testing', 0],
      ['a: built, tests passed', 0.5],
      ['b: building', 0.5],
      ['b: built', 1],
    ]);
  });

  it('journals what each build and test is and what it gave: failed tests are a result with ok false', async () => {
    const { rec, steps } = recording();
    await runBuildStage([request('a', { stage: 'unit', command: ['make', 'check'], timeoutMs: 1500 })], { builder: scripted({ exit: { a: 2 } }), redact: identity, concurrency: 1, recorder: rec });
    expect(steps()).toEqual([
      { kind: 'docker.build', target: 'a', detail: { repository: 'shop/a', target: null }, ok: true, result: { image: 'shop/a:h-a', contentHash: 'h-a', cached: false, durationMs: 7 } },
      { kind: 'docker.build', target: 'a', detail: { repository: 'shop/a', target: 'unit' }, ok: true, result: { image: 'shop/a:h-a-unit', contentHash: 'h-a-unit', cached: false, durationMs: 7 } },
      { kind: 'docker.test', target: 'a', detail: { image: 'shop/a:h-a-unit', command: ['make', 'check'], timeoutMs: 1500 }, ok: false, result: { status: 'failed', exitCode: 2, durationMs: 3 } },
    ]);
  });

  it('says how a test failed: exit code, or the timeout in whole seconds', async () => {
    const result = await runBuildStage([request('a'), request('b', { timeoutMs: 1500 })], { builder: scripted({ exit: { a: 1, b: 'timeout' } }), redact: identity, concurrency: 2 });
    expect(result.projects.map((p) => p.error)).toEqual([
      { code: 'TEST_FAILED', message: 'a: tests failed with exit code 1' },
      { code: 'TEST_TIMEOUT', message: 'b: tests did not finish within 2 s and were stopped' },
    ]);
  });

  it('keeps the last 20 lines of a test log', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`);
    const result = await runBuildStage([request('a')], { builder: scripted({ testLogs: lines }), redact: identity, concurrency: 1 });
    expect(result.projects[0]!.test.logTail).toEqual(lines.slice(5));
  });

  it('a test stage that does not build keeps the built image, fails with the build error, and tests not run', async () => {
    const result = await runBuildStage([request('a', { stage: 'test' })], { builder: scripted({ failTarget: 'test' }), redact: identity, concurrency: 1 });
    expect(result.ok).toBe(false);
    expect(result.projects[0]).toEqual({
      project: 'a',
      status: 'built',
      image: 'shop/a:h-a',
      contentHash: 'h-a',
      durationMs: 7,
      error: { code: 'BUILD_FAILED', message: 'a: stage test failed' },
      test: { status: 'not-run', exitCode: null, durationMs: null, logTail: [] },
    });
  });

  it('a project with nothing to build and no problem given says so', async () => {
    const result = await runBuildStage([{ project: 'lib', spec: null, problem: null, test: null }], { builder: scripted(), redact: identity, concurrency: 1 });
    expect(result.projects[0]).toEqual({
      project: 'lib',
      status: 'failed',
      image: null,
      contentHash: null,
      durationMs: null,
      error: { code: 'NO_DOCKERFILE', message: 'lib has nothing to build' },
      test: { status: 'none', exitCode: null, durationMs: null, logTail: [] },
    });
  });

  it('a project not started because the run was cancelled says so, and its tests did not run', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runBuildStage([request('a')], { builder: scripted(), redact: identity, concurrency: 1, signal: controller.signal });
    expect(result.projects[0]).toEqual({
      project: 'a',
      status: 'cancelled',
      image: null,
      contentHash: null,
      durationMs: null,
      error: { code: 'CANCELLED', message: 'a: not started, the run was cancelled' },
      test: { status: 'not-run', exitCode: null, durationMs: null, logTail: [] },
    });
  });

  it('hands build lines and intermediate layers to the recorder, and works without one or without a layer hook', async () => {
    const script = { buildLogs: ['Step 1/2'], layers: ['sha256:l1'] };
    const { rec, logs, layers } = recording();
    await runBuildStage([request('a', null)], { builder: scripted(script), redact: identity, concurrency: 1, recorder: rec });
    expect(logs).toEqual(['a/build: Step 1/2']);
    expect(layers).toEqual(['a sha256:l1']);

    const bare = await runBuildStage([request('a', null)], { builder: scripted(script), redact: identity, concurrency: 1 });
    expect(bare.ok).toBe(true);
    const { rec: noLayer } = recording();
    delete noLayer.layer;
    const withoutHook = await runBuildStage([request('a', null)], { builder: scripted(script), redact: identity, concurrency: 1, recorder: noLayer });
    expect(withoutHook.ok).toBe(true);
  });

  it('says in the test log why a remembered test was not run, and needs no recorder to skip it', async () => {
    const store = createMemoryStore({ now: () => new Date('2026-12-05T04:00:00.000Z') });
    for (const id of ['b1', 'b2', 'b3']) store.createRun({ id, kind: 'build', workspace: '/ws', base: null, head: null });
    const builder = scripted();
    await runBuildStage([request('a')], { builder, redact: identity, concurrency: 1, testResults: { store, runId: 'b1', rerun: false } });
    const bare = await runBuildStage([request('a')], { builder, redact: identity, concurrency: 1, testResults: { store, runId: 'b2', rerun: false } });
    expect(bare.projects[0]!.test.cached).toEqual({ runId: 'b1', passedAt: '2026-12-05T04:00:00.000Z' });
    const logs: string[] = [];
    const rec: BuildStageRecorder = { journal: createJournal({ store, runId: 'b3', redact: identity }), log: (project, phase, line) => void logs.push(`${project}/${phase}: ${line}`) };
    await runBuildStage([request('a')], { builder, redact: identity, concurrency: 1, recorder: rec, testResults: { store, runId: 'b3', rerun: false } });
    expect(logs).toEqual(['a/test: not run: passed in run b1 at 2026-12-05T04:00:00.000Z with this image, command, environment and timeout (--rerun-tests runs it)']);
  });
});
