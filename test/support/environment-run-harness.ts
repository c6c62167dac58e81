// One environment of a release run directly (electron/core/release/environment-run.ts's runEnvironment),
// over an in-memory target, so a test sees what the engine's report hides: the outcome it returns, the
// record at every `changed()` (snapshots), and each journal step with its detail and its result.
// Default world: services api and worker (wave 0) and web (wave 1, after both), images `shop/<s>:<version>`
// built and tested in this release, a Kubernetes-flavoured fake target in environment `dev`.
import { GatesConfig } from '../../shared/config.js';
import type { EnvironmentConfig } from '../../shared/config.js';
import type { EnvironmentReport, LiveRevision, ReleaseReport } from '../../shared/release-report.js';
import type { JsonValue } from '../../electron/core/ports/json.js';
import type { DeployTargetPort, DeployUnit, TargetKind } from '../../electron/core/ports/deploy-target.js';
import { type EnvironmentOutcome, runEnvironment } from '../../electron/core/release/environment-run.js';
import { gateObjectFromDockerUnit } from '../../electron/core/release/gate-objects.js';
import type { BuiltImage } from '../../electron/core/release/gates.js';
import type { Approver, ImageInspector, StepSpec } from '../../electron/core/release/run-ports.js';
import { ReleaseTracker } from '../../electron/core/release/tracker.js';
import { FakeDeployTarget } from '../fakes/deploy-target.js';
import { FakeApprover, FakeRecorder, fakeClock } from '../fakes/release-run.js';

export const ENV = 'dev';
export const RELEASE = 'rel-2';

/** A journal step as the store would keep it: intent (kind, target, detail) and the result it wrote. */
export interface JournalRow {
  stage: string;
  kind: string;
  target: string;
  detail: JsonValue;
  ok: boolean | null;
  /** What the step's result function made of the effect's value; undefined when it has none or failed. */
  result: JsonValue | undefined;
}

/** A FakeRecorder that also keeps each step's detail and result (the plain fake drops them). */
export class JournalRecorder extends FakeRecorder {
  readonly rows: JournalRow[] = [];
  override stage(name: string, environment: string | null) {
    const inner = super.stage(name, environment);
    const rows = this.rows;
    return {
      ...inner,
      async step<T>(spec: StepSpec, effect: () => Promise<T>, result?: (value: T) => JsonValue): Promise<T> {
        const row: JournalRow = { stage: name, kind: spec.kind, target: spec.target, detail: spec.detail, ok: null, result: undefined };
        rows.push(row);
        let value: T;
        try {
          value = await inner.step(spec, effect);
        } catch (err) {
          row.ok = false;
          throw err;
        }
        row.ok = true;
        row.result = result ? result(value) : undefined;
        return value;
      },
    };
  }
}

export interface HarnessOptions {
  services?: string[];
  after?: Record<string, string[]>;
  kind?: TargetKind;
  version?: string;
  approval?: boolean;
  rollback?: 'auto' | 'manual';
  concurrency?: number;
  timeoutMs?: number;
  gates?: Partial<Omit<GatesConfig, 'allow'>>;
  approver?: Approver;
  signal?: AbortSignal;
  knownBefore?: ReadonlyMap<string, LiveRevision>;
  cancelGraceMs?: number;
  /** The store's first refusal (RecordingState.failure); default none. */
  refused?: () => unknown;
  built?: BuiltImage[];
  images?: ImageInspector;
  resolveId?: (built: BuiltImage) => Promise<string | null>;
  /** What the environment sees of the target (a test may wrap the fake). */
  port?: (target: FakeDeployTarget) => DeployTargetPort;
}

export const imageOf = (service: string, version: string) => `shop/${service}:${version}`;
export const idOf = (service: string, version: string) => `sha256:${service}-${version}`;
export const builtOf = (services: readonly string[], version: string): BuiltImage[] => services.map((service) => ({ service, image: imageOf(service, version), imageId: idOf(service, version), tested: true }));

export function unitOf(service: string, image: string, releaseId = RELEASE, source?: string): DeployUnit {
  return { service, image, ...(source && source !== image ? { sourceImage: source } : {}), releaseId, commit: 'c0ffee', manifestsDir: null, port: 8080, health: '/healthz', env: {} };
}

export function harness(options: HarnessOptions = {}) {
  const services = options.services ?? ['api', 'worker', 'web'];
  const version = options.version ?? 'v2';
  const target = new FakeDeployTarget({ environment: ENV, kind: options.kind ?? 'kubernetes' });
  const recorder = new JournalRecorder();
  const snapshots: ReleaseReport[] = [];
  /** Every call of the environment's unit(): service, image and the source it was given. */
  const unitCalls: Array<[string, string, string | undefined]> = [];
  const built = options.built ?? builtOf(services, version);
  const ids = new Map(built.map((b) => [b.image, b.imageId]));
  const gates = { ...GatesConfig.parse({}), ...options.gates };
  const approval = options.approval ?? false;
  const rollback = options.rollback ?? 'auto';
  const config = { name: ENV, target: { kind: 'docker' }, rollback, gates, env: {} } as EnvironmentConfig;
  const env: EnvironmentReport = {
    name: ENV,
    kind: target.kind,
    state: 'pending',
    waves: [],
    skipped: [],
    gates: null,
    diff: null,
    approval: { required: approval, state: approval ? 'not-reached' : 'not-required', by: null, at: null, comment: null },
    services: [],
    rollbacks: [],
    live: [],
    cause: null,
  };
  const release: ReleaseReport = {
    id: RELEASE, workspace: '/ws', target: ENV, only: true, base: 'main', head: 'feature', commit: 'c0ffee', author: null,
    state: 'running', cause: null, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, affected: [], services,
    order: services.map((service) => ({ service, after: options.after?.[service] ?? [] })), images: [], buildCalls: 0, applies: 0,
    testRuns: 0, stages: [], pushes: [], environments: [env],
  };
  const redact = (text: string) => text.replaceAll('s3cret', '[redacted]');
  const tracker = new ReleaseTracker(release, fakeClock(), recorder, redact, (r) => snapshots.push(r));
  const after = new Map(Object.entries(options.after ?? { web: ['api', 'worker'] }));

  return {
    target,
    recorder,
    snapshots,
    unitCalls,
    release,
    env,
    /** Puts `version` of each service in place, as an earlier release would have (optionally failing). */
    async deploy(at: string, which: readonly string[] = services) {
      await target.apply(which.map((s) => unitOf(s, imageOf(s, at), `rel-${at}`)));
    },
    run(): Promise<EnvironmentOutcome> {
      return runEnvironment({
        tracker,
        env: {
          settings: { name: ENV, config, approvalRequired: approval, rollback, gates, concurrency: options.concurrency ?? 4, timeoutMs: options.timeoutMs ?? 60_000 },
          target: options.port ? options.port(target) : target,
          unit: (service, image, source) => {
            unitCalls.push([service, image, source]);
            return unitOf(service, image, RELEASE, source);
          },
          gateObjects: async (units) => units.map((u) => gateObjectFromDockerUnit(ENV, u)),
        },
        report: env,
        services,
        after,
        built,
        approver: options.approver ?? new FakeApprover(),
        images: options.images ?? { imageId: async (reference) => ids.get(reference) ?? null },
        ...(options.resolveId ? { resolveId: options.resolveId } : {}),
        redact,
        signal: options.signal ?? new AbortController().signal,
        ...(options.knownBefore ? { knownBefore: options.knownBefore } : {}),
        ...(options.cancelGraceMs === undefined ? {} : { cancelGraceMs: options.cancelGraceMs }),
        recording: { failure: options.refused ?? (() => null) },
      });
    },
  };
}

/** The stages of the run as `name:state:message`. */
export const stagesOf = (release: ReleaseReport) => release.stages.map((s) => `${s.name}:${s.state}:${s.message}`);
