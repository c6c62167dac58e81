// The release runner (issue 12): one change taken through every environment in promotion order.
// Stages: affected → build → test → push (push-stage.ts, when an environment names a registry) → per
// environment (environment-run.ts) gates → diff → approval → waves → verify, and rollback on failure.
// Images are built and tested once and the same references (checked by image ID, or by registry
// digest, at each environment's gates) are promoted; nothing is rebuilt. Every environment the
// release walks is held for its whole run, so a second release into one of them is refused before
// anything is built. Pure logic over ports; the clock and every effect come in.
import type { ProjectBuild } from '../../../shared/domain.js';
import { ConvoyError, type ErrorPayload, toErrorPayload } from '../../../shared/errors.js';
import type { EnvironmentReport, ImageReport, LiveRevision, ReleaseReport } from '../../../shared/release-report.js';
import { type BuildRequest, type BuildStageResult, runBuildStage } from '../build-stage.js';
import type { ObjectVersion } from '../ports/deploy-target.js';
import type { ImageBuilderPort } from '../ports/image-builder.js';
import type { TestResultStore } from '../ports/test-results.js';
import type { ImageRegistryPort, PushRetry } from '../ports/image-registry.js';
import { splitDigestReference } from '../../../shared/registry-ref.js';
import { type PushedReferences, registriesOf, runPushStage } from './push-stage.js';
import type { Redactor } from '../redact.js';
import { guardRecorder } from './guarded-recorder.js';
import { type EnvironmentOutcome, runEnvironment } from './environment-run.js';
import type { BuiltImage } from './gates.js';
import type { ApprovalDecision, Approver, Clock, EnvironmentLock, ImageInspector, ReleaseEnvironment, ReleaseRecorder } from './run-ports.js';
import { ReleaseTracker } from './tracker.js';

/** What the affected stage finds: the services in the release, their order and how to build them. */
export interface ReleaseSelection {
  base: string | null;
  head: string | null;
  commit: string | null;
  author: string | null;
  affected: { project: string; explanation: string }[];
  /** Deployable services in the release. */
  services: string[];
  order: { service: string; after: string[] }[];
  /** One build request per service. */
  builds: BuildRequest[];
}

export interface ReleaseRunInput {
  releaseId: string;
  workspace: string;
  /** The last environment asked for, and whether it runs alone. */
  target: string;
  only: boolean;
  /** In promotion order. */
  environments: ReleaseEnvironment[];
  /** The affected stage: graph, affected set, plan order and build requests. */
  select(signal: AbortSignal): Promise<ReleaseSelection>;
  /** Resuming a release a crash interrupted (convoy recover --resume). */
  resume?: ResumeFrom;
}

/** What a resumed release takes from the interrupted run's record and journal. */
export interface ResumeFrom {
  /** Its last recorded state. */
  previous: ReleaseReport;
  /** Per environment, what ran before it touched each service. */
  before: ReadonlyMap<string, ReadonlyMap<string, LiveRevision>>;
  /** Approvals it had already received, per environment. */
  approvals: ReadonlyMap<string, ApprovalDecision>;
  /** Per object (objectKey), the version its last recorded write left: written again only if it changed since. */
  written?: ReadonlyMap<string, ObjectVersion>;
}

/** The interrupted run's images, when every one was built and tested; null when the build must run. */
export function completeImages(previous: ReleaseReport): ImageReport[] | null {
  const images = previous.images;
  if (previous.services.length === 0 || images.length === 0) return null;
  const ok = previous.services.every((s) => {
    const i = images.find((x) => x.service === s);
    return i && i.image && i.imageId && (i.build === 'built' || i.build === 'cached') && (i.test === 'passed' || i.test === 'none') && i.error === null;
  });
  return ok ? images : null;
}

export interface ReleaseRunDeps {
  builder: ImageBuilderPort;
  images: ImageInspector;
  recorder: ReleaseRecorder & {
    /** Called once every environment is held, before the first stage. */
    begin(report: ReleaseReport): void;
    /** Called with the final record. */
    end(report: ReleaseReport): void;
  };
  lock: EnvironmentLock;
  approver: Approver;
  clock: Clock;
  redact: Redactor;
  buildConcurrency: number;
  /** Passed tests remembered across runs: an unchanged image's tests are not run again (unless rerunTests). */
  testResults?: TestResultStore;
  rerunTests?: boolean;
  /** Pushes to the environments' registries; needed only when one of them names a registry. */
  registry?: ImageRegistryPort;
  /** Attempts and backoff for a push that failed with a transient error. */
  pushRetry?: PushRetry;
  signal?: AbortSignal;
  /** After a cancel, how long services in flight may finish before their apply or wait is stopped (default 3 s). */
  cancelGraceMs?: number;
  onUpdate?: (report: ReleaseReport) => void;
}

function emptyEnvironment(env: ReleaseEnvironment): EnvironmentReport {
  return {
    name: env.settings.name,
    kind: env.target.kind,
    state: 'pending',
    waves: [],
    skipped: [],
    gates: null,
    diff: null,
    approval: { required: env.settings.approvalRequired, state: env.settings.approvalRequired ? 'not-reached' : 'not-required', by: null, at: null, comment: null },
    services: [],
    rollbacks: [],
    live: [],
    cause: null,
  };
}

/** Holds every environment (in promotion order) around `work`; a busy one refuses the whole release. */
function holdAll<T>(lock: EnvironmentLock, names: readonly string[], releaseId: string, work: () => Promise<T>): Promise<T> {
  if (names.length === 0) return work();
  const [first, ...rest] = names;
  return lock.hold(first!, releaseId, () => holdAll(lock, rest, releaseId, work));
}

/** A builder that remembers the image ID of every image it returns, by reference. */
function recordingIds(builder: ImageBuilderPort, ids: Map<string, string>): ImageBuilderPort {
  return {
    contentHash: (spec) => builder.contentHash(spec),
    build: async (spec, options) => {
      const result = await builder.build(spec, options);
      ids.set(result.image, result.imageId);
      return result;
    },
    runTest: (spec, options) => builder.runTest(spec, options),
  };
}

/** Test outcomes that mean the test ran (passed from the store does not). */
const RAN: ReadonlySet<string> = new Set(['passed', 'failed', 'timed-out']);

const firstError = (result: BuildStageResult): ErrorPayload =>
  result.projects.find((p) => p.error)?.error ?? { code: 'BUILD_FAILED', message: 'A project did not build' };

function imageReport(build: ProjectBuild, ids: ReadonlyMap<string, string>): ImageReport {
  return {
    service: build.project,
    image: build.image,
    imageId: build.image ? (ids.get(build.image) ?? null) : null,
    build: build.status,
    test: build.test.status,
    testCached: build.test.cached ?? null,
    durationMs: build.durationMs,
    error: build.error,
  };
}

/** Without a retry policy a transient push error fails at once. */
const NO_RETRY: PushRetry = { attempts: 1, delayMs: () => 0, wait: async () => {} };

/** The built image's ID when the registry holds the digest it was pushed as, else null. */
async function resolveDigest(registry: ImageRegistryPort, built: BuiltImage): Promise<string | null> {
  const parts = splitDigestReference(built.image);
  if (!parts) return null;
  return (await registry.hasManifest(`${parts.host}/${parts.path}`, parts.digest)) ? built.imageId : null;
}

export async function runRelease(input: ReleaseRunInput, deps: ReleaseRunDeps): Promise<ReleaseReport> {
  const signal = deps.signal ?? new AbortController().signal;
  const started = deps.clock.now().toISOString();
  const report: ReleaseReport = {
    id: input.releaseId,
    workspace: input.workspace,
    target: input.target,
    only: input.only,
    base: null,
    head: null,
    commit: null,
    author: null,
    state: 'running',
    cause: null,
    startedAt: started,
    finishedAt: null,
    affected: [],
    services: [],
    order: [],
    images: [],
    buildCalls: 0,
    applies: 0,
    testRuns: 0,
    stages: [],
    pushes: [],
    environments: input.environments.map(emptyEnvironment),
  };
  let finishRef: ((state: ReleaseReport['state'], cause: ErrorPayload | null) => ReleaseReport) | null = null;
  let cancelledRef: ((where: string) => ReleaseReport) | null = null;
  // A resumed release does not ask again for an approval the interrupted run had received.
  const approver: Approver = {
    request: async (request) => input.resume?.approvals.get(request.environment) ?? deps.approver.request(request),
  };

  // A write the store refuses stops the release: no effect starts without its intent row.
  const recording = guardRecorder(deps.recorder);
  const recorder = recording.recorder;
  const tracker = new ReleaseTracker(report, deps.clock, recorder, deps.redact, deps.onUpdate);
  const names = input.environments.map((e) => e.settings.name);

  return holdAll(deps.lock, names, input.releaseId, async () => {
    recorder.begin(structuredClone(report));
    const finish = (state: ReleaseReport['state'], cause: ErrorPayload | null): ReleaseReport => {
      report.state = state;
      report.cause = cause ? tracker.error(cause) : null;
      report.finishedAt = tracker.now();
      for (const stage of report.stages) if (stage.state === 'running') stage.state = 'failed';
      tracker.changed();
      recorder.end(structuredClone(report));
      return report;
    };
    const cancelled = (where: string) => finish('cancelled', { code: 'CANCELLED', message: `The release was cancelled ${where}; nothing was deployed` });
    try {
      return await body(finish, cancelled);
    } catch (err) {
      return finish('failed', toErrorPayload(err));
    }
  });

  async function body(finish: (state: ReleaseReport['state'], cause: ErrorPayload | null) => ReleaseReport, cancelled: (where: string) => ReleaseReport): Promise<ReleaseReport> {
    finishRef = finish;
    cancelledRef = cancelled;
    const affected = tracker.stage('affected', null);
    let selection: ReleaseSelection;
    try {
      selection = await input.select(signal);
    } catch (err) {
      affected.finish('failed', toErrorPayload(err).message);
      throw err;
    }
    Object.assign(report, { base: selection.base, head: selection.head, commit: selection.commit, author: selection.author, affected: selection.affected, services: selection.services, order: selection.order });
    affected.finish('succeeded', `${selection.affected.length} project(s) affected, ${selection.services.length} service(s) to release`);
    if (signal.aborted) return cancelled('after the affected stage');
    if (selection.services.length === 0) {
      for (const env of report.environments) env.state = 'unchanged';
      return finish('succeeded', null);
    }

    const reused = input.resume ? completeImages(input.resume.previous) : null;
    if (reused) {
      // Resuming: the interrupted run built and tested these; promote the same references, never rebuild
      // (even when the workspace moved on: the record keeps the commit they were built from).
      const missing = selection.services.filter((s) => !reused.some((i) => i.service === s));
      if (missing.length > 0) {
        return finish('failed', { code: 'RESUME_REFUSED', message: `The workspace now releases ${missing.join(', ')}, which the interrupted run did not build; resuming deploys only what it built and tested. Roll back (convoy recover --rollback) and release again; nothing was applied` });
      }
      Object.assign(report, { commit: input.resume!.previous.commit, author: input.resume!.previous.author });
      report.images = structuredClone(reused);
      tracker.stage('build', null).finish('skipped', `reused the ${reused.length} image(s) the interrupted run built`);
      tracker.stage('test', null).finish('skipped', 'the interrupted run tested them');
    } else {
      const failed = await buildAndTest(selection);
      if (failed) return failed;
    }
    if (signal.aborted) return cancelled('after the tests');
    return deploy(selection);
  }

  async function buildAndTest(selection: ReleaseSelection): Promise<ReleaseReport | null> {
    // Build every image first (no tests), then test what was built: two stages with their own times.
    const ids = new Map<string, string>();
    const builder = recordingIds(deps.builder, ids);
    const buildStage = tracker.stage('build', null);
    const built = await runBuildStage(
      selection.builds.map((r) => ({ ...r, test: null })),
      { builder, redact: deps.redact, concurrency: deps.buildConcurrency, signal, recorder: buildStage.journal.buildRecorder() },
    );
    report.buildCalls += built.buildCalls;
    report.images = built.projects.map((p) => imageReport(p, ids));
    if (!built.ok) {
      buildStage.finish(signal.aborted ? 'cancelled' : 'failed', firstError(built).message);
      return signal.aborted ? cancelledRef!('during the build') : finishRef!('failed', firstError(built));
    }
    buildStage.finish('succeeded', `${built.buildCalls} built, ${built.projects.length - built.buildCalls} already built`);

    const toTest = selection.builds.filter((r) => r.test !== null);
    const testStage = tracker.stage('test', null);
    if (toTest.length === 0) {
      testStage.finish('skipped', 'no service declares tests');
    } else {
      const tested = await runBuildStage(toTest, {
        builder,
        redact: deps.redact,
        concurrency: deps.buildConcurrency,
        signal,
        recorder: testStage.journal.buildRecorder(),
        ...(deps.testResults ? { testResults: { store: deps.testResults, runId: input.releaseId, rerun: deps.rerunTests === true } } : {}),
      });
      report.buildCalls += tested.buildCalls;
      const ran = tested.projects.filter((p) => RAN.has(p.test.status) && !p.test.cached).length;
      report.testRuns = ran;
      for (const p of tested.projects) {
        const entry = report.images.find((i) => i.service === p.project);
        if (entry) Object.assign(entry, { test: p.test.status, testCached: p.test.cached ?? null, error: entry.error ?? p.error });
      }
      if (!tested.ok) {
        testStage.finish(signal.aborted ? 'cancelled' : 'failed', firstError(tested).message);
        return signal.aborted ? cancelledRef!('during the tests') : finishRef!('failed', firstError(tested));
      }
      const cached = toTest.length - ran;
      testStage.finish('succeeded', `${toTest.length} service(s) passed their tests${cached > 0 ? ` (${ran} run, ${cached} passed before with the same image, command, environment and timeout)` : ''}`);
    }
    return null;
  }

  async function deploy(selection: ReleaseSelection): Promise<ReleaseReport> {
    const finish = finishRef!;

    const builtImages: BuiltImage[] = report.images.map((i) => {
      if (!i.image || !i.imageId) throw new ConvoyError('INTERNAL', `${i.service}: built without an image ID`);
      return { service: i.service, image: i.image, imageId: i.imageId, tested: i.test === 'passed' || i.test === 'none' };
    });

    // Push before any environment is touched, so a failed push leaves every environment as it was.
    const registries = registriesOf(input.environments);
    let references: PushedReferences = new Map();
    if (registries.length > 0) {
      if (!deps.registry) throw new ConvoyError('INTERNAL', 'an environment names a registry but the release has no image pusher');
      const pushed = await runPushStage({ tracker, registries, built: builtImages, port: deps.registry, retry: deps.pushRetry ?? NO_RETRY, signal });
      if (!pushed.ok) return pushed.cause.code === 'CANCELLED' ? finish('cancelled', pushed.cause) : finish('failed', pushed.cause);
      references = pushed.references;
    }
    const registryPort = deps.registry;
    const after = new Map(selection.order.map((o) => [o.service, o.after]));
    for (const [index, env] of input.environments.entries()) {
      const pulled = env.settings.config.registry ? references.get(env.settings.config.registry) : undefined;
      const built = pulled ? builtImages.map((b) => ({ ...b, image: pulled.get(b.service)!, source: b.image })) : builtImages;
      const outcome: EnvironmentOutcome = await runEnvironment({
        tracker,
        env,
        report: report.environments[index]!,
        services: selection.services,
        after,
        built,
        approver,
        images: deps.images,
        // A digest reference stands for the built image while its registry holds that digest.
        resolveId: pulled && registryPort ? (b) => resolveDigest(registryPort, b) : undefined,
        redact: deps.redact,
        signal,
        ...(deps.cancelGraceMs === undefined ? {} : { cancelGraceMs: deps.cancelGraceMs }),
        recording: recording.state,
        ...(input.resume?.before.has(env.settings.name) ? { knownBefore: input.resume.before.get(env.settings.name)! } : {}),
        ...(input.resume?.written ? { written: input.resume.written } : {}),
      });
      const previousEnv = input.resume?.previous.environments.find((e) => e.name === env.settings.name);
      // An environment the interrupted run had finished reads as it did, not as "unchanged".
      if (outcome === 'ok' && previousEnv?.state === 'succeeded' && report.environments[index]!.state === 'unchanged') report.environments[index] = structuredClone(previousEnv);
      if (outcome === 'ok') continue;
      const envReport = report.environments[index]!;
      const cause = envReport.cause ?? { code: 'INTERNAL', message: `${env.settings.name} did not finish` };
      if (outcome === 'cancelled') return finish('cancelled', cause);
      if (outcome === 'rejected') return finish('rejected', cause);
      return finish(envReport.state === 'rolled-back' ? 'rolled-back' : 'failed', cause);
    }
    return finish('succeeded', null);
  }
}
