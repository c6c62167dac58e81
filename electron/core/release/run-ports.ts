// What the release engine needs from the world beyond the deploy targets and the image builder, kept
// narrow so the store's journal and per-environment leases (and fakes in tests) plug in with a small
// adapter each: a recorder (stages, journal steps, events), a lock per environment, an approver, an
// image inspector and a clock.
import type { JsonValue } from '../ports/json.js';
import type { RunEventName, RunEventPayload } from '../../../shared/runs.js';
import type { BuildStageRecorder } from '../build-stage.js';
import type { DeployTargetPort, DeployUnit } from '../ports/deploy-target.js';
import type { EnvironmentSettings } from './environments.js';
import type { GateObject } from './gates.js';
import type { StageName, StageState } from '../../../shared/release-report.js';

export interface StepSpec {
  /** e.g. 'target.apply', 'target.rollback'. */
  kind: string;
  /** What it acts on, e.g. `staging/catalog-api`. */
  target: string;
  detail: JsonValue;
}

/** One stage of the run in the durable record. */
export interface StageJournal {
  /** Writes the intent, runs the effect, writes the result (or the redacted error); returns or rethrows. */
  step<T>(spec: StepSpec, effect: () => Promise<T>, result?: (value: T) => JsonValue): Promise<T>;
  /** The build stage's own recorder (intents for builds and tests, log lines). */
  buildRecorder(): BuildStageRecorder;
  finish(state: Exclude<StageState, 'running'>): void;
}

export interface ReleaseRecorder {
  stage(name: StageName, environment: string | null): StageJournal;
  event<K extends Extract<RunEventName, `release.${string}`>>(name: K, payload: RunEventPayload<K>): void;
}

/**
 * One release per environment, across processes: `hold` runs `work` while holding the environment, or
 * throws ENVIRONMENT_BUSY naming the release that holds it and where it runs.
 */
export interface EnvironmentLock {
  hold<T>(environment: string, releaseId: string, work: () => Promise<T>): Promise<T>;
}

export interface ApprovalRequest {
  releaseId: string;
  environment: string;
  /** The combined diff the approver looks at, redacted. */
  diff: string;
  signal: AbortSignal;
}

export interface ApprovalDecision {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  comment: string | null;
}

/** Resolves when someone decides; rejects with CANCELLED when the signal aborts first. */
export interface Approver {
  request(request: ApprovalRequest): Promise<ApprovalDecision>;
}

export interface ImageInspector {
  /** The engine's ID of an image reference right now, or null when there is no such image. */
  imageId(reference: string): Promise<string | null>;
}

export interface Clock {
  now(): Date;
}

/** One environment of the release, with its target and how a service becomes a unit there. */
export interface ReleaseEnvironment {
  settings: EnvironmentSettings;
  target: DeployTargetPort;
  /**
   * The unit a service deploys in this environment (env values resolved for it); `source` is the local
   * reference a registry `image` was pushed from (its tag is kept on the objects for people).
   */
  unit(service: string, image: string, source?: string): DeployUnit;
  /** What the gates check: Kubernetes objects as rendered, or the Docker target's units. */
  gateObjects(units: readonly DeployUnit[]): Promise<GateObject[]>;
}
