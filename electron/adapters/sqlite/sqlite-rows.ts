// Rows of convoy.db as better-sqlite3 returns them, and their mapping to the port's records.
import type {
  ApprovalDecision,
  ApprovalRecord,
  DrillOutcome,
  DrillRecord,
  EventRecord,
  JsonValue,
  ReleaseRecord,
  ReleaseStatus,
  RevisionRecord,
  StageRecord,
  StageStatus,
  StepRecord,
} from '../../core/ports/history-store.js';
import { StoreError, errMessage } from './open-database.js';

export interface ReleaseRow {
  id: string;
  kind: 'release' | 'build';
  workspace: string;
  base: string | null;
  head: string | null;
  status: ReleaseStatus;
  created_at: string;
  finished_at: string | null;
  summary: string | null;
}
export interface StageRow {
  id: string;
  release_id: string;
  name: string;
  status: StageStatus;
  started_at: string;
  finished_at: string | null;
}
export interface StepRow {
  id: number;
  release_id: string;
  stage_id: string | null;
  kind: string;
  target: string;
  detail_json: string;
  started_at: string;
  finished_at: string | null;
  ok: 0 | 1 | null;
  result_json: string | null;
}
export interface EventRow {
  id: number;
  release_id: string | null;
  name: string;
  payload_json: string;
  at: string;
}
export interface RevisionRow {
  id: number;
  environment: string;
  service: string;
  revision: string;
  image: string;
  release_id: string | null;
  deployed_at: string;
}
export interface ApprovalRow {
  id: number;
  release_id: string;
  stage_id: string | null;
  approver: string;
  decision: ApprovalDecision;
  comment: string | null;
  at: string;
}
export interface DrillRow {
  id: number;
  kind: string;
  environment: string;
  release_id: string | null;
  outcome: DrillOutcome;
  started_at: string;
  finished_at: string;
  detail_json: string;
}

export const releaseFromRow = (r: ReleaseRow): ReleaseRecord => ({
  id: r.id,
  kind: r.kind,
  workspace: r.workspace,
  base: r.base,
  head: r.head,
  status: r.status,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  summary: r.summary,
});
export const stageFromRow = (r: StageRow): StageRecord => ({
  id: r.id,
  releaseId: r.release_id,
  name: r.name,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});
export const stepFromRow = (r: StepRow): StepRecord => ({
  id: r.id,
  releaseId: r.release_id,
  stageId: r.stage_id,
  kind: r.kind,
  target: r.target,
  detail: parseJson(r.detail_json),
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  ok: r.ok === null ? null : r.ok === 1,
  result: r.result_json === null ? null : parseJson(r.result_json),
});
export const eventFromRow = (r: EventRow): EventRecord => ({ id: r.id, releaseId: r.release_id, name: r.name, payload: parseJson(r.payload_json), at: r.at });
export const revisionFromRow = (r: RevisionRow): RevisionRecord => ({
  id: r.id,
  environment: r.environment,
  service: r.service,
  revision: r.revision,
  image: r.image,
  releaseId: r.release_id,
  deployedAt: r.deployed_at,
});
export const approvalFromRow = (r: ApprovalRow): ApprovalRecord => ({
  id: r.id,
  releaseId: r.release_id,
  stageId: r.stage_id,
  approver: r.approver,
  decision: r.decision,
  comment: r.comment,
  at: r.at,
});
export const drillFromRow = (r: DrillRow): DrillRecord => ({
  id: r.id,
  kind: r.kind,
  environment: r.environment,
  releaseId: r.release_id,
  outcome: r.outcome,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  detail: parseJson(r.detail_json),
});

export function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}

export function toJson(value: JsonValue | undefined, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (err) {
    throw new StoreError('STORE_ERROR', `${what} is not JSON-serialisable (${errMessage(err)}).`, { cause: err });
  }
  return text ?? 'null';
}
