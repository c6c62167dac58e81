// The build stage of a release (issue 4): builds exactly the requested projects' images, content
// addressed (an unchanged project is a cache hit with no build call), up to `concurrency` at a time,
// then runs each project's tests inside its image. One project's failure fails the stage but does not
// stop the others, so every project's result is kept. Cancelling stops in-flight builds and starts no
// new ones. Every log line has passed the redactor before it reaches the recorder. With a test-result
// store, a test that passed before with the same image ID, command, environment and timeout is not run
// again (reported `passed` with `cached`); a pass is recorded, a failure forgets the earlier pass.
import type { BuildReport, ProjectBuild, TestOutcome } from '../../shared/domain.js';
import { type ErrorPayload, toErrorPayload } from '../../shared/errors.js';
import type { Journal } from './journal.js';
import type { BuildResult, BuildSpec, ImageBuilderPort } from './ports/image-builder.js';
import type { TestResultStore, TestRunKey } from './ports/test-results.js';
import type { Progress } from './ports/workspace.js';
import { runPool } from './pool.js';
import type { Redactor } from './redact.js';

export interface TestPlan {
  command: string[];
  timeoutMs: number;
  env: Record<string, string>;
  /** Build stage to run the tests in; null runs them in the deployable image. */
  stage: string | null;
}

/** One project to build; `spec` is null when it cannot be built, with the reason in `problem`. */
export interface BuildRequest {
  project: string;
  spec: BuildSpec | null;
  problem: ErrorPayload | null;
  test: TestPlan | null;
}

/** Where the stage writes its durable record: every build and test through the journal (an intent
 *  before the side effect, its result after), and each log line. */
export interface BuildStageRecorder {
  journal: Journal;
  log(project: string, phase: 'build' | 'test', line: string): void;
  /** An intermediate image a build just committed; written at once, so a crash cannot lose it. */
  layer?(project: string, imageId: string): void;
}

export interface BuildStageOptions {
  builder: ImageBuilderPort;
  redact: Redactor;
  concurrency: number;
  signal?: AbortSignal;
  progress?: Progress;
  recorder?: BuildStageRecorder;
  /** Remembered passes: `store` answers and records them under `runId`; `rerun` runs every test anyway. */
  testResults?: { store: TestResultStore; runId: string; rerun: boolean };
}

export type BuildStageResult = Omit<BuildReport, 'runId'>;

const LOG_TAIL = 20;

const noTest = (status: TestOutcome['status']): TestOutcome => ({ status, exitCode: null, durationMs: null, logTail: [] });

/** A project with no image (yet): the start of every outcome, and the whole of a skipped one. */
function blank(request: BuildRequest, status: ProjectBuild['status'], error: ErrorPayload | null): ProjectBuild {
  return { project: request.project, status, image: null, contentHash: null, durationMs: null, error, test: noTest(request.test ? 'not-run' : 'none') };
}

function isCancelled(error: ErrorPayload): boolean {
  return error.code === 'CANCELLED';
}

export async function runBuildStage(requests: readonly BuildRequest[], options: BuildStageOptions): Promise<BuildStageResult> {
  const { builder, redact, recorder, progress, signal } = options;
  let buildCalls = 0;
  let done = 0;
  const total = requests.length;
  const report = (message: string) => progress?.(message, total === 0 ? 1 : done / total);

  async function build(spec: BuildSpec, project: string): Promise<BuildResult> {
    // The intent names what is built; the content hash comes with the result (hashing the context
    // first would read every file twice).
    const effect = () =>
      builder.build(spec, {
        signal,
        redact,
        runId: recorder?.journal.runId,
        onLog: (line) => recorder?.log(project, 'build', line),
        onLayer: (imageId) => recorder?.layer?.(project, imageId),
      });
    const result = recorder
      ? await recorder.journal.step({ kind: 'docker.build', target: project, detail: { repository: spec.repository, target: spec.target ?? null } }, effect, (r) => ({
          ok: true,
          detail: { image: r.image, contentHash: r.contentHash, cached: r.cached, durationMs: r.durationMs },
        }))
      : await effect();
    if (!result.cached) buildCalls++;
    return result;
  }

  async function test(request: BuildRequest, image: BuildResult, plan: TestPlan): Promise<TestOutcome> {
    const key: TestRunKey = { imageId: image.imageId, command: plan.command, env: plan.env, timeoutMs: plan.timeoutMs };
    const cache = options.testResults;
    const passed = cache && !cache.rerun ? cache.store.findPassedTest(key) : null;
    if (passed) {
      recorder?.log(request.project, 'test', `not run: passed in run ${passed.runId} at ${passed.passedAt} with this image, command, environment and timeout (--rerun-tests runs it)`);
      return { status: 'passed', exitCode: 0, durationMs: null, logTail: [], cached: passed };
    }
    const effect = async (): Promise<TestOutcome> => {
      const result = await builder.runTest(
        { project: request.project, image: image.image, command: plan.command, timeoutMs: plan.timeoutMs, env: plan.env },
        { signal, redact, runId: recorder?.journal.runId, onLog: (line) => recorder?.log(request.project, 'test', line) },
      );
      const status: TestOutcome['status'] = result.timedOut ? 'timed-out' : result.exitCode === 0 ? 'passed' : 'failed';
      return { status, exitCode: result.exitCode, durationMs: result.durationMs, logTail: result.logs.slice(-LOG_TAIL) };
    };
    // A failing test is a result (ok: false), not an error.
    const outcome = recorder
      ? await recorder.journal.step({ kind: 'docker.test', target: request.project, detail: { image: image.image, command: plan.command, timeoutMs: plan.timeoutMs } }, effect, (o) => ({
          ok: o.status === 'passed',
          detail: { status: o.status, exitCode: o.exitCode, durationMs: o.durationMs },
        }))
      : await effect();
    cache?.store.recordTestOutcome(key, { passed: outcome.status === 'passed', runId: cache.runId });
    return outcome;
  }

  async function one(request: BuildRequest): Promise<ProjectBuild> {
    const base = blank(request, 'failed', null);
    if (request.spec === null) {
      return { ...base, error: request.problem ?? { code: 'NO_DOCKERFILE', message: `${request.project} has nothing to build` } };
    }
    report(`${request.project}: building`);
    let built: BuildResult;
    try {
      built = await build(request.spec, request.project);
    } catch (err) {
      const error = toErrorPayload(err);
      return { ...base, status: isCancelled(error) ? 'cancelled' : 'failed', error };
    }
    const result: ProjectBuild = {
      ...base,
      status: built.cached ? 'cached' : 'built',
      image: built.image,
      contentHash: built.contentHash,
      durationMs: built.durationMs,
    };
    if (!request.test) return result;
    try {
      let testImage = built;
      if (request.test.stage !== null) {
        report(`${request.project}: building test stage ${request.test.stage}`);
        testImage = await build({ ...request.spec, target: request.test.stage }, request.project);
      }
      report(`${request.project}: testing`);
      const outcome = await test(request, testImage, request.test);
      if (outcome.status === 'passed') return { ...result, test: outcome };
      const message =
        outcome.status === 'timed-out'
          ? `${request.project}: tests did not finish within ${Math.round(request.test.timeoutMs / 1000)} s and were stopped`
          : `${request.project}: tests failed with exit code ${String(outcome.exitCode)}`;
      return { ...result, test: outcome, error: { code: outcome.status === 'timed-out' ? 'TEST_TIMEOUT' : 'TEST_FAILED', message } };
    } catch (err) {
      const error = toErrorPayload(err);
      return { ...result, error, test: noTest('not-run') };
    }
  }

  const projects = await runPool<BuildRequest, ProjectBuild>(
    requests,
    options.concurrency,
    async (request) => {
      const outcome = await one(request);
      done++;
      report(`${request.project}: ${outcome.status}${outcome.test.status !== 'none' ? `, tests ${outcome.test.status}` : ''}`);
      return outcome;
    },
    { signal, skipped: (request) => blank(request, 'cancelled', { code: 'CANCELLED', message: `${request.project}: not started, the run was cancelled` }) },
  );
  const ok = projects.every((p) => p.error === null && (p.status === 'built' || p.status === 'cached'));
  return { ok, buildCalls, projects };
}
