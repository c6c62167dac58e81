// Remembered test results in the build stage (issue 15): a test that passed with the same image ID,
// command, environment and timeout is not run again and is reported cached with the run it passed in;
// any of the four changed, a forced rerun, or an earlier failure runs it. Fake builder, in-memory store.
import { describe, expect, it } from 'vitest';
import { type BuildRequest, runBuildStage } from '../../../electron/core/build-stage.js';
import { createJournal } from '../../../electron/core/journal.js';
import { createRedactor } from '../../../electron/core/redact.js';
import { FakeImageBuilder } from '../../fakes/image-builder.js';
import { createMemoryStore } from '../../fakes/store.js';

function request(overrides: { command?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): BuildRequest {
  return {
    project: 'api',
    spec: { project: 'api', contextDir: '/ws/api', dockerfile: 'Dockerfile', buildArgs: {}, repository: 'shop/api', labels: {} },
    problem: null,
    test: { command: overrides.command ?? ['npm', 'test'], timeoutMs: overrides.timeoutMs ?? 60_000, env: overrides.env ?? { NODE_ENV: 'test' }, stage: null },
  };
}

function world() {
  const builder = new FakeImageBuilder();
  const store = createMemoryStore({ now: () => new Date('2026-12-04T23:40:00.000Z') });
  let runs = 0;
  const run = async (req: BuildRequest = request(), rerun = false) => {
    const runId = `b${++runs}`;
    store.createRun({ id: runId, kind: 'build', workspace: '/ws', base: null, head: null });
    const stage = store.startStage({ runId, name: 'build' });
    const lines: string[] = [];
    const result = await runBuildStage([req], {
      builder,
      redact: createRedactor([]),
      concurrency: 1,
      recorder: { journal: createJournal({ store, runId, stageId: stage.id, redact: createRedactor([]) }), log: (_p, _phase, line) => lines.push(line) },
      testResults: { store, runId, rerun },
    });
    return { result, test: result.projects[0]!.test, steps: store.listSteps(runId).map((s) => s.kind), lines };
  };
  return { builder, store, run };
}

describe('remembered test results', () => {
  it('an unchanged image is not tested again: passed, cached, with the run and time it passed', async () => {
    const { builder, run } = world();
    const first = await run();
    expect(first.test).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(first.test.cached).toBeUndefined();
    expect(builder.tests).toHaveLength(1);

    const second = await run();
    expect(builder.tests).toHaveLength(1);
    expect(second.result.ok).toBe(true);
    expect(second.test).toEqual({ status: 'passed', exitCode: 0, durationMs: null, logTail: [], cached: { runId: 'b1', passedAt: '2026-12-04T23:40:00.000Z' } });
    expect(second.steps).toEqual(['docker.build']);
    expect(second.lines.at(-1)).toContain('not run: passed in run b1');
  });

  it.each([
    ['a changed environment value', request({ env: { NODE_ENV: 'ci' } })],
    ['an added environment variable', request({ env: { NODE_ENV: 'test', API_TOKEN: 'x' } })],
    ['a changed command', request({ command: ['npm', 'run', 'test:all'] })],
    ['a changed timeout', request({ timeoutMs: 30_000 })],
  ])('%s runs the test again', async (_what, changed) => {
    const { builder, run } = world();
    await run();
    const again = await run(changed);
    expect(builder.tests).toHaveLength(2);
    expect(again.test.cached).toBeUndefined();
    expect(again.steps).toEqual(['docker.build', 'docker.test']);
    // …and that one is remembered in turn.
    await run(changed);
    expect(builder.tests).toHaveLength(2);
  });

  it('a new image (changed content) runs the test again', async () => {
    const { builder, run } = world();
    await run();
    builder.setContent('/ws/api', 'edited');
    const again = await run();
    expect(builder.builds).toHaveLength(2);
    expect(builder.tests).toHaveLength(2);
    expect(again.test.cached).toBeUndefined();
  });

  it('--rerun-tests runs a remembered test anyway', async () => {
    const { builder, run } = world();
    await run();
    const forced = await run(request(), true);
    expect(builder.tests).toHaveLength(2);
    expect(forced.test.cached).toBeUndefined();
    expect(forced.test.status).toBe('passed');
  });

  it('a failed or timed-out test is never remembered; a failing rerun forgets the earlier pass', async () => {
    const { builder, run } = world();
    builder.scriptTest('api', { exitCode: 1 });
    expect((await run()).test.status).toBe('failed');
    expect((await run()).test.status).toBe('failed');
    expect(builder.tests).toHaveLength(2);

    builder.scriptTest('api', { timedOut: true });
    expect((await run()).test.status).toBe('timed-out');
    expect((await run()).test.status).toBe('timed-out');
    expect(builder.tests).toHaveLength(4);

    builder.scriptTest('api', { exitCode: 0 });
    await run();
    expect((await run()).test.cached?.runId).toBe('b5');
    builder.scriptTest('api', { exitCode: 2 });
    expect((await run(request(), true)).test.status).toBe('failed');
    const after = await run();
    expect(builder.tests).toHaveLength(7);
    expect(after.test).toMatchObject({ status: 'failed', exitCode: 2 });
  });
});
