// The release engine's own decisions before any environment (electron/core/release/engine.ts), over
// in-memory ports: an affected stage that fails or finds nothing, a cancel before the build, a build that
// fails, services without tests, the build and test stages' messages and counts, and completeImages (what
// a resumed release may reuse). The environments themselves are environment-run.ts's (engine.test.ts).
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../../shared/errors.js';
import type { ImageReport, ReleaseReport } from '../../../../shared/release-report.js';
import { type ReleaseRunDeps, type ReleaseSelection, completeImages, runRelease } from '../../../../electron/core/release/engine.js';
import type { ReleaseEnvironment } from '../../../../electron/core/release/run-ports.js';
import { FakeApprover, FakeLock, FakeRecorder, fakeClock } from '../../../fakes/release-run.js';
import { RecordingBuilder, SERVICES, builds } from '../../../support/release-world.js';

/** Only what the engine reads of an environment it never enters. */
const untouched = (name: string, approvalRequired: boolean, registry?: string) =>
  ({ settings: { name, approvalRequired, config: registry ? { registry } : {} }, target: { kind: 'docker' } }) as unknown as ReleaseEnvironment;

function selection(overrides: Partial<ReleaseSelection> = {}): ReleaseSelection {
  return {
    base: 'main',
    head: 'feature',
    commit: 'c0ffee',
    author: 'Ada',
    affected: SERVICES.map((project) => ({ project, explanation: `${project}: src/index.js` })),
    services: SERVICES,
    order: SERVICES.map((service) => ({ service, after: [] })),
    builds: builds('v1'),
    ...overrides,
  };
}

function run(select: () => Promise<ReleaseSelection>, options: { environments?: ReleaseEnvironment[]; signal?: AbortSignal; builder?: RecordingBuilder } = {}) {
  const recorder = new FakeRecorder();
  const builder = options.builder ?? new RecordingBuilder();
  const deps: ReleaseRunDeps = {
    builder,
    images: { imageId: async (ref) => builder.ids.get(ref) ?? null },
    recorder,
    lock: new FakeLock(),
    approver: new FakeApprover(),
    clock: fakeClock(),
    redact: (line) => line,
    buildConcurrency: 1,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const done = runRelease({ releaseId: 'r1', workspace: '/ws', target: 'staging', only: false, environments: options.environments ?? [], select }, deps);
  return { done, recorder, builder };
}

const stages = (report: ReleaseReport) => report.stages.map((s) => `${s.name}:${s.state}:${s.message ?? ''}`);

describe('runRelease before any environment', () => {
  it('fails the release with the affected stage when it cannot select, saying why', async () => {
    const { done, recorder } = run(async () => {
      throw new ConvoyError('WORKSPACE_ERROR', 'nx graph failed: exit 1');
    });
    const report = await done;
    expect(report.state).toBe('failed');
    expect(report.cause).toEqual({ code: 'WORKSPACE_ERROR', message: 'nx graph failed: exit 1' });
    expect(stages(report)).toEqual(['affected:failed:nx graph failed: exit 1']);
    expect(recorder.begun).toMatchObject({ state: 'running', cause: null, affected: [], services: [], order: [], images: [], finishedAt: null });
    expect(recorder.ended?.state).toBe('failed');
  });

  it('with nothing to release, succeeds at once: every environment unchanged, nothing built', async () => {
    const { done, builder } = run(async () => selection({ affected: [{ project: 'docs', explanation: 'docs: README.md' }], services: [], order: [], builds: [] }), {
      environments: [untouched('local', false), untouched('staging', true)],
    });
    const report = await done;
    expect(report.state).toBe('succeeded');
    expect(report.cause).toBeNull();
    expect(report.environments.map((e) => [e.name, e.state, e.approval.state])).toEqual([
      ['local', 'unchanged', 'not-required'],
      ['staging', 'unchanged', 'not-reached'],
    ]);
    expect(report.environments[0]).toMatchObject({ waves: [], skipped: [], services: [], live: [], rollbacks: [] });
    expect(stages(report)).toEqual(['affected:succeeded:1 project(s) affected, 0 service(s) to release']);
    expect(builder.builds).toEqual([]);
  });

  it('a release cancelled while selecting stops after the affected stage and builds nothing', async () => {
    const controller = new AbortController();
    const { done, builder } = run(async () => {
      controller.abort();
      return selection();
    }, { signal: controller.signal });
    const report = await done;
    expect(report.state).toBe('cancelled');
    expect(report.cause).toEqual({ code: 'CANCELLED', message: 'The release was cancelled after the affected stage; nothing was deployed' });
    expect(builder.builds).toEqual([]);
  });

  it('a build that fails fails the release with its error, reports every image, and runs no test', async () => {
    const builder = new RecordingBuilder();
    builder.failBuild('orders-api');
    const { done } = run(async () => selection(), { builder });
    const report = await done;
    expect(report.state).toBe('failed');
    expect(report.cause).toEqual({ code: 'BUILD_FAILED', message: 'Build of orders-api failed at step RUN make: exit code 2' });
    expect(stages(report)).toEqual(['affected:succeeded:3 project(s) affected, 3 service(s) to release', 'build:failed:Build of orders-api failed at step RUN make: exit code 2']);
    expect(report.images.map((i) => [i.service, i.build, i.test])).toEqual([
      ['catalog-api', 'built', 'none'],
      ['orders-api', 'failed', 'none'],
      ['storefront', 'built', 'none'],
    ]);
    expect(builder.tests).toEqual([]);
  });

  it('skips the test stage when no service declares tests, and says how many images were built', async () => {
    const { done } = run(async () => selection({ builds: builds('v1').map((b) => ({ ...b, test: null })) }));
    const report = await done;
    expect(report.state).toBe('succeeded');
    expect(report.testRuns).toBe(0);
    expect(stages(report)).toEqual([
      'affected:succeeded:3 project(s) affected, 3 service(s) to release',
      'build:succeeded:3 built, 0 already built',
      'test:skipped:no service declares tests',
    ]);
    expect(report.images.map((i) => i.test)).toEqual(['none', 'none', 'none']);
  });

  it('tests only the services that declare tests, and counts the build of a test stage', async () => {
    const [a, b, c] = builds('v1');
    const { done } = run(async () => selection({ builds: [{ ...a!, test: { ...a!.test!, stage: 'test' } }, { ...b!, test: null }, c!] }));
    const report = await done;
    expect(report.state).toBe('succeeded');
    expect(report.buildCalls).toBe(4);
    expect(report.testRuns).toBe(2);
    expect(report.images.map((i) => i.test)).toEqual(['passed', 'none', 'passed']);
    expect(stages(report).at(-1)).toBe('test:succeeded:2 service(s) passed their tests');
  });

  it('refuses to deploy when an environment names a registry and the release has no pusher, before touching it', async () => {
    const { done } = run(async () => selection(), { environments: [untouched('staging', false, 'reg.example:5000/shop')] });
    const report = await done;
    expect(report.state).toBe('failed');
    expect(report.cause).toEqual({ code: 'INTERNAL', message: 'an environment names a registry but the release has no image pusher' });
    expect(report.environments[0]!.state).toBe('pending');
  });

  it('a release cancelled as its last test finishes stops after the tests, with every test passed', async () => {
    const controller = new AbortController();
    const builder = new (class extends RecordingBuilder {
      override async runTest(...args: Parameters<RecordingBuilder['runTest']>) {
        const result = await super.runTest(...args);
        if (args[0].project === 'storefront') controller.abort();
        return result;
      }
    })();
    const { done } = run(async () => selection(), { builder, signal: controller.signal });
    const report = await done;
    expect(report.state).toBe('cancelled');
    expect(report.cause).toEqual({ code: 'CANCELLED', message: 'The release was cancelled after the tests; nothing was deployed' });
    expect(report.images.map((i) => i.test)).toEqual(['passed', 'passed', 'passed']);
  });

  it('a release cancelled while a test runs stops during the tests: the test stage reads cancelled', async () => {
    const controller = new AbortController();
    const builder = new (class extends RecordingBuilder {
      override async runTest(...args: Parameters<RecordingBuilder['runTest']>) {
        controller.abort();
        return super.runTest(...args);
      }
    })();
    const { done } = run(async () => selection(), { builder, signal: controller.signal });
    const report = await done;
    expect(report.state).toBe('cancelled');
    expect(report.cause).toEqual({ code: 'CANCELLED', message: 'The release was cancelled during the tests; nothing was deployed' });
    expect(report.stages.at(-1)).toMatchObject({ name: 'test', state: 'cancelled' });
    expect(report.stages.at(-1)!.message).not.toBe('');
  });

  it('a release cancelled during the build stops there: the build stage reads cancelled and nothing is tested', async () => {
    const controller = new AbortController();
    const builder = new (class extends RecordingBuilder {
      override async build(...args: Parameters<RecordingBuilder['build']>): ReturnType<RecordingBuilder['build']> {
        controller.abort();
        throw new ConvoyError('CANCELLED', `${args[0].project}: build cancelled`);
      }
    })();
    const { done } = run(async () => selection(), { builder, signal: controller.signal });
    const report = await done;
    expect(report.state).toBe('cancelled');
    expect(report.cause).toEqual({ code: 'CANCELLED', message: 'The release was cancelled during the build; nothing was deployed' });
    expect(stages(report).at(-1)).toBe('build:cancelled:catalog-api: build cancelled');
    expect(builder.tests).toEqual([]);
  });

  it('a failing test fails the release, and the image report of that service carries the test error', async () => {
    const builder = new (class extends RecordingBuilder {
      override async runTest(...args: Parameters<RecordingBuilder['runTest']>) {
        const result = await super.runTest(...args);
        return args[0].project === 'orders-api' ? { ...result, exitCode: 1 } : result;
      }
    })();
    const { done } = run(async () => selection(), { builder });
    const report = await done;
    expect(report.state).toBe('failed');
    expect(report.cause).toEqual({ code: 'TEST_FAILED', message: 'orders-api: tests failed with exit code 1' });
    expect(report.images.map((i) => [i.service, i.test, i.error?.code ?? null])).toEqual([
      ['catalog-api', 'passed', null],
      ['orders-api', 'failed', 'TEST_FAILED'],
      ['storefront', 'passed', null],
    ]);
    expect(stages(report).at(-1)).toBe('test:failed:orders-api: tests failed with exit code 1');
  });
});

describe('completeImages', () => {
  const image = (service: string, overrides: Partial<ImageReport> = {}): ImageReport => ({
    service,
    image: `shop/${service}:h1`,
    imageId: `sha256:${service}`,
    build: 'built',
    test: 'passed',
    testCached: null,
    durationMs: 1,
    error: null,
    ...overrides,
  });
  const previous = (services: string[], images: ImageReport[]) => ({ services, images }) as unknown as ReleaseReport;

  it('gives back the images when every service was built (or cached) and tested (or has no tests)', () => {
    const images = [image('a'), image('b', { build: 'cached', test: 'none' })];
    expect(completeImages(previous(['a', 'b'], images))).toEqual(images);
  });

  it('refuses a run with no services or no images', () => {
    expect(completeImages(previous([], [image('a')]))).toBeNull();
    expect(completeImages(previous(['a'], []))).toBeNull();
  });

  it.each([
    ['a service without an image', [image('a')], ['a', 'b']],
    ['an image without a reference', [image('a', { image: null })], ['a']],
    ['an image without an ID', [image('a', { imageId: null })], ['a']],
    ['a failed build', [image('a', { build: 'failed' })], ['a']],
    ['a cancelled build', [image('a', { build: 'cancelled' })], ['a']],
    ['a failed test', [image('a', { test: 'failed' })], ['a']],
    ['a test not run', [image('a', { test: 'not-run' })], ['a']],
    ['an error', [image('a', { error: { code: 'TEST_FAILED', message: 'x' } })], ['a']],
  ] as const)('refuses %s', (_what, images, services) => {
    expect(completeImages(previous([...services], [...images]))).toBeNull();
  });

  it('judges each service by its own image, not by the first one', () => {
    expect(completeImages(previous(['a', 'b'], [image('a'), image('b', { test: 'failed' })]))).toBeNull();
    expect(completeImages(previous(['a', 'b'], [image('a', { test: 'failed' }), image('b')]))).toBeNull();
    expect(completeImages(previous(['a', 'b', 'c'], [image('a'), image('b'), image('c', { test: 'failed' })]))).toBeNull();
    expect(completeImages(previous(['a'], [image('a')]))).toEqual([image('a')]);
  });
});
