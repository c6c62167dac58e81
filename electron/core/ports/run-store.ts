// Runs and their journal: a run (build, release, rollback, drill), its stages, and one step row per
// side effect — the intent written (and committed) before the effect, the result after it. Services
// write steps only through electron/core/journal.ts. Every call is one committed transaction by the
// time it returns; timestamps are ISO-8601 strings (UTC).
import type { RunKind, RunOwner, RunStatus, RunSummary } from '../../../shared/runs.js';
import type { JsonValue } from './json.js';

export type { RunKind, RunOwner, RunStatus };

/** Same shape as the contract's RunSummary, so history rows cross the boundary unchanged. */
export type RunRecord = RunSummary;
/** Statuses a run can finish with. */
export type FinalRunStatus = Exclude<RunStatus, 'planned' | 'running'>;

export interface NewRun {
  id: string;
  kind: RunKind;
  workspace: string;
  /** The environment the run changes (rollback, release, drill); null or omitted for a build. */
  environment?: string | null;
  base: string | null;
  head: string | null;
  summary?: string | null;
  /** Defaults to 'planned'. */
  status?: 'planned' | 'running';
  /** The process that runs it; defaults to the store's own process (the one that opened it), when it knows it. */
  owner?: RunOwner;
}

export interface ListRunsQuery {
  /** At most this many, newest first. */
  limit: number;
  /** ISO timestamp: only runs created strictly before it (page with the last row's createdAt). */
  before?: string;
  /** Only runs of this kind. */
  kind?: RunKind;
}

export type StageStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface StageRecord {
  id: string;
  runId: string;
  name: string;
  status: StageStatus;
  startedAt: string;
  finishedAt: string | null;
}

export interface NewStage {
  runId: string;
  name: string;
  /** Generated when omitted. */
  id?: string;
}

/** What is about to be done; written (and committed) before the side effect happens. */
export interface StepIntent {
  runId: string;
  stageId?: string | null;
  /** e.g. 'docker.build', 'k8s.apply', 'target.rollback'. */
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
  runId: string;
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

export interface RunStore {
  /** Throws (STORE_ERROR) if the id is taken. */
  createRun(run: NewRun): RunRecord;
  /** Sets the status (and finishedAt for final statuses; `at` defaults to now). Throws if unknown. */
  finishRun(id: string, status: RunStatus, at?: string): RunRecord;
  getRun(id: string): RunRecord | null;
  /** Newest first. */
  listRuns(query: ListRunsQuery): RunRecord[];
  /** Every run still `planned` or `running`, oldest first (electron/core/owner.ts checks their owners). */
  listUnfinishedRuns(): RunRecord[];
  /** Marks a run still planned or running `interrupted` (finishedAt = now); false when it had finished meanwhile. */
  interruptRun(id: string): boolean;
  /**
   * Takes on an interrupted run in this process (convoy recover): status back to `running`, owned by
   * `owner`, finishedAt cleared; false when the run is not interrupted (someone else took it on).
   */
  resumeRun(id: string, owner: RunOwner): boolean;

  startStage(stage: NewStage): StageRecord;
  finishStage(id: string, status: Exclude<StageStatus, 'running'>, at?: string): StageRecord;
  listStages(runId: string): StageRecord[];

  /** Records what is about to happen and returns its id; call before the side effect. */
  recordIntent(step: StepIntent): StepId;
  /** Records how it went; call after the side effect. Throws if unknown or already finished. */
  recordResult(stepId: StepId, result: StepResult): StepRecord;
  /** In the order they were recorded. */
  listSteps(runId: string): StepRecord[];
}
