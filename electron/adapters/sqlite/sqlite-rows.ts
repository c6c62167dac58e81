// Rows of convoy.db as better-sqlite3 returns them, and their mapping to the ports' records.
import type { EventRecord, JsonValue, LeaseRecord, RunKind, RunRecord, RunStatus, StageRecord, StageStatus, StepRecord } from '../../core/ports/history-store.js';
import { StoreError, errMessage } from './open-database.js';

export interface RunRow {
  id: string;
  kind: RunKind;
  workspace: string;
  environment: string | null;
  base: string | null;
  head: string | null;
  status: RunStatus;
  created_at: string;
  finished_at: string | null;
  summary: string | null;
  owner_pid: number | null;
  owner_started_at: string | null;
  owner_host: string | null;
}
export interface StageRow {
  id: string;
  run_id: string;
  name: string;
  status: StageStatus;
  started_at: string;
  finished_at: string | null;
}
export interface StepRow {
  id: number;
  run_id: string;
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
  run_id: string | null;
  name: string;
  payload_json: string;
  at: string;
}
export interface LeaseRow {
  environment: string;
  run_id: string;
  pid: number;
  host: string;
  started_at: string;
  heartbeat_at: string;
  pid_started_at: string | null;
}

export const runFromRow = (r: RunRow): RunRecord => ({
  id: r.id,
  kind: r.kind,
  workspace: r.workspace,
  environment: r.environment,
  base: r.base,
  head: r.head,
  status: r.status,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  summary: r.summary,
  ...(r.owner_pid !== null && r.owner_host !== null ? { owner: { pid: r.owner_pid, startedAt: r.owner_started_at, host: r.owner_host } } : {}),
});
export const stageFromRow = (r: StageRow): StageRecord => ({
  id: r.id,
  runId: r.run_id,
  name: r.name,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});
export const stepFromRow = (r: StepRow): StepRecord => ({
  id: r.id,
  runId: r.run_id,
  stageId: r.stage_id,
  kind: r.kind,
  target: r.target,
  detail: parseJson(r.detail_json),
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  ok: r.ok === null ? null : r.ok === 1,
  result: r.result_json === null ? null : parseJson(r.result_json),
});
/** Names and payloads were checked on the way in, and migrations only write known ones. */
export const eventFromRow = (r: EventRow): EventRecord => ({ id: r.id, runId: r.run_id, name: r.name, payload: parseJson(r.payload_json), at: r.at }) as EventRecord;
export const leaseFromRow = (r: LeaseRow): LeaseRecord => ({
  environment: r.environment,
  runId: r.run_id,
  pid: r.pid,
  host: r.host,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  processStartedAt: r.pid_started_at,
});

export function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}

export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (err) {
    throw new StoreError('STORE_ERROR', `${what} is not JSON-serialisable (${errMessage(err)}).`, { cause: err });
  }
  return text ?? 'null';
}
