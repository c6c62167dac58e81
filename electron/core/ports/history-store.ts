// What the core needs from durable history: releases, their stages and steps (an intent row written
// before each side effect, its result filled in after), an event log, the revision deployed per
// environment and service, approvals and drills. All methods are synchronous: every call is one
// committed transaction by the time it returns. Timestamps are ISO-8601 strings (UTC).
import type { ReleaseSummary } from '../../../shared/domain.js';

/** Anything that survives JSON.stringify → JSON.parse unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The store's error codes (a subset of the contract's ErrorCode). */
export type StoreErrorCode = 'STORE_NEWER_SCHEMA' | 'STORE_CORRUPT' | 'STORE_LOCKED' | 'STORE_UNWRITABLE' | 'STORE_ERROR';

// ── releases ────────────────────────────────────────────────────────────────────────────────────

/** Same shape as the contract's ReleaseSummary, so history rows cross the boundary unchanged. */
export type ReleaseRecord = ReleaseSummary;
export type ReleaseStatus = ReleaseRecord['status'];
/** Statuses a release can finish with. */
export type FinalReleaseStatus = Exclude<ReleaseStatus, 'planned' | 'running'>;

export interface NewRelease {
  id: string;
  workspace: string;
  base: string | null;
  head: string | null;
  summary?: string | null;
  /** Defaults to 'release'. */
  kind?: 'release' | 'build';
  /** Defaults to 'planned'. */
  status?: 'planned' | 'running';
}

export interface ListReleasesQuery {
  /** At most this many, newest first. */
  limit: number;
  /** ISO timestamp: only releases created strictly before it (page with the last row's createdAt). */
  before?: string;
}

// ── stages and steps ────────────────────────────────────────────────────────────────────────────

export type StageStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface StageRecord {
  id: string;
  releaseId: string;
  name: string;
  status: StageStatus;
  startedAt: string;
  finishedAt: string | null;
}

export interface NewStage {
  releaseId: string;
  name: string;
  /** Generated when omitted. */
  id?: string;
}

/** What is about to be done; written (and committed) before the side effect happens. */
export interface StepIntent {
  releaseId: string;
  stageId?: string | null;
  /** e.g. 'docker.build', 'k8s.apply', 'git.tag'. */
  kind: string;
  /** What it acts on, e.g. an image or `staging/catalog-api`. */
  target: string;
  detail: JsonValue;
}

export interface StepResult {
  ok: boolean;
  detail: JsonValue;
}

export type StepId = number;

export interface StepRecord {
  id: StepId;
  releaseId: string;
  stageId: string | null;
  kind: string;
  target: string;
  detail: JsonValue;
  startedAt: string;
  /** null while the step has an intent but no result (in flight, or interrupted by a crash). */
  finishedAt: string | null;
  ok: boolean | null;
  result: JsonValue | null;
}

// ── events ──────────────────────────────────────────────────────────────────────────────────────

export interface EventRecord {
  /** Increasing; usable as a cursor. */
  id: number;
  releaseId: string | null;
  name: string;
  payload: JsonValue;
  at: string;
}

// ── revisions ───────────────────────────────────────────────────────────────────────────────────

export interface NewRevision {
  environment: string;
  service: string;
  revision: string;
  image: string;
  /** The release that deployed it; null when observed or set outside a release. */
  releaseId: string | null;
}

export interface RevisionRecord extends NewRevision {
  id: number;
  deployedAt: string;
}

// ── approvals and drills ────────────────────────────────────────────────────────────────────────

export type ApprovalDecision = 'approved' | 'rejected';

export interface NewApproval {
  releaseId: string;
  stageId?: string | null;
  approver: string;
  decision: ApprovalDecision;
  comment?: string | null;
}

export interface ApprovalRecord {
  id: number;
  releaseId: string;
  stageId: string | null;
  approver: string;
  decision: ApprovalDecision;
  comment: string | null;
  at: string;
}

export type DrillOutcome = 'passed' | 'failed' | 'aborted';

export interface NewDrill {
  /** e.g. 'rollback'. */
  kind: string;
  environment: string;
  releaseId?: string | null;
  outcome: DrillOutcome;
  startedAt: string;
  /** Defaults to now. */
  finishedAt?: string;
  detail: JsonValue;
}

export interface DrillRecord {
  id: number;
  kind: string;
  environment: string;
  releaseId: string | null;
  outcome: DrillOutcome;
  startedAt: string;
  finishedAt: string;
  detail: JsonValue;
}

// ── the port ────────────────────────────────────────────────────────────────────────────────────

export interface HistoryStore {
  /** Throws (STORE_ERROR) if the id is taken. */
  createRelease(release: NewRelease): ReleaseRecord;
  /** Sets the status (and finishedAt for final statuses; `at` defaults to now). Throws if unknown. */
  finishRelease(id: string, status: ReleaseStatus, at?: string): ReleaseRecord;
  getRelease(id: string): ReleaseRecord | null;
  /** Newest first. */
  listReleases(query: ListReleasesQuery): ReleaseRecord[];

  startStage(stage: NewStage): StageRecord;
  finishStage(id: string, status: Exclude<StageStatus, 'running'>, at?: string): StageRecord;
  listStages(releaseId: string): StageRecord[];

  /** Records what is about to happen and returns its id; call before the side effect. */
  recordIntent(step: StepIntent): StepId;
  /** Records how it went; call after the side effect. Throws if unknown or already finished. */
  recordResult(stepId: StepId, result: StepResult): StepRecord;
  /** In the order they were recorded. */
  listSteps(releaseId: string): StepRecord[];

  appendEvent(releaseId: string | null, name: string, payload: JsonValue): EventRecord;
  /** Several events in one transaction. */
  appendEvents(entries: ReadonlyArray<{ releaseId: string | null; name: string; payload: JsonValue }>): void;
  /** Oldest first; `null` lists events that belong to no release. */
  listEvents(releaseId: string | null): EventRecord[];

  setRevision(revision: NewRevision): RevisionRecord;
  /** History for an environment, newest first; optionally for one service. */
  listRevisions(environment: string, service?: string): RevisionRecord[];
  /** The latest revision of each service in the environment. */
  currentRevisions(environment: string): RevisionRecord[];

  recordApproval(approval: NewApproval): ApprovalRecord;
  listApprovals(releaseId: string): ApprovalRecord[];

  recordDrill(drill: NewDrill): DrillRecord;
  /** Newest first. */
  listDrills(query: { limit: number; environment?: string }): DrillRecord[];

  schemaVersion(): number;
  /** Idempotent. */
  close(): void;
}
