// The history store on SQLite (better-sqlite3): one file, <dataDir>/convoy.db, in WAL mode with
// synchronous=FULL so every committed call survives a crash of the process or the machine. It
// implements every store port (runs and their journal, events, leases, passed tests; electron/core/ports).
// Opening (and refusing files it does not understand) lives in open-database.ts.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { parseRunEvent } from '../../../shared/runs.js';
import type {
  AcquireResult,
  EventFilter,
  EventRecord,
  HistoryStore,
  LeaseRecord,
  LeaseRequest,
  ListRunsQuery,
  NewEvent,
  RunOwner,
  NewRun,
  NewStage,
  RunEventName,
  RunEventPayload,
  RunRecord,
  RunStatus,
  StageRecord,
  StageStatus,
  StepId,
  StepIntent,
  StepRecord,
  StepResult,
} from '../../core/ports/history-store.js';
import type { PassedTest, TestRunKey } from '../../core/ports/test-results.js';
import { findPassedTest, recordTestOutcome } from './test-results.js';
import { LATEST_SCHEMA_VERSION } from './migrations.js';
import { type OpenStoreOptions, StoreError, errMessage, isSqliteCode, openDatabase, openMemoryDatabase, toStoreError } from './open-database.js';
import {
  type EventRow,
  type LeaseRow,
  type RunRow,
  type StageRow,
  type StepRow,
  eventFromRow,
  leaseFromRow,
  runFromRow,
  stageFromRow,
  stepFromRow,
  toJson,
} from './sqlite-rows.js';

export { DB_FILE_NAME, DEFAULT_BUSY_TIMEOUT_MS, StoreError, type OpenStoreOptions } from './open-database.js';

const FINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'rolled_back', 'cancelled', 'interrupted']);

// ── opening ─────────────────────────────────────────────────────────────────────────────────────

export function openStore(dataDir: string, opts: OpenStoreOptions = {}): SqliteStore {
  const { db, file } = openDatabase(dataDir, opts);
  return new SqliteStore(db, file, opts.now ?? (() => new Date()), opts.redact, opts.owner);
}

/** The store in memory (nothing kept): see openMemoryDatabase. */
export function openMemoryStore(opts: OpenStoreOptions = {}): SqliteStore {
  const { db, file } = openMemoryDatabase(opts);
  return new SqliteStore(db, file, opts.now ?? (() => new Date()), opts.redact, opts.owner);
}

// ── the store ───────────────────────────────────────────────────────────────────────────────────

export class SqliteStore implements HistoryStore {
  private readonly statements = new Map<string, Database.Statement>();

  /** Use openStore(). */
  constructor(
    private readonly db: Database.Database,
    /** Absolute path of convoy.db. */
    readonly file: string,
    private readonly now: () => Date,
    /** The redaction gate: every stored text and JSON value passes it before it reaches the file. */
    private readonly redact: (<T>(value: T) => T) | undefined = undefined,
    /** The process that opened the store: every run it creates is owned by it unless told otherwise. */
    private readonly owner: RunOwner | undefined = undefined,
  ) {}

  private json(value: Parameters<typeof toJson>[0], what: string): string {
    return toJson(this.redact ? this.redact(value) : value, what);
  }

  private text<T extends string | null | undefined>(value: T): T {
    return this.redact && typeof value === 'string' ? this.redact(value) : value;
  }

  // runs

  createRun(run: NewRun): RunRecord {
    return this.write('create run', () => {
      try {
        this.stmt(
          `INSERT INTO runs (id, kind, workspace, environment, base, head, status, created_at, finished_at, summary, owner_pid, owner_started_at, owner_host)
           VALUES (@id, @kind, @workspace, @environment, @base, @head, @status, @createdAt, NULL, @summary, @ownerPid, @ownerStartedAt, @ownerHost)`,
        ).run({
          ownerPid: (run.owner ?? this.owner)?.pid ?? null,
          ownerStartedAt: (run.owner ?? this.owner)?.startedAt ?? null,
          ownerHost: (run.owner ?? this.owner)?.host ?? null,
          id: run.id,
          kind: run.kind,
          workspace: run.workspace,
          environment: run.environment ?? null,
          base: run.base ?? null,
          head: run.head ?? null,
          status: run.status ?? 'planned',
          createdAt: this.iso(),
          summary: this.text(run.summary ?? null),
        });
      } catch (err) {
        if (isSqliteCode(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) {
          throw new StoreError('STORE_ERROR', `A run with id "${run.id}" already exists.`, { cause: err });
        }
        if (isSqliteCode(err, 'SQLITE_CONSTRAINT_CHECK')) {
          throw new StoreError('STORE_ERROR', `Cannot record run "${run.id}": kind "${run.kind}" or status "${run.status}" is not one Convoy knows.`, { cause: err });
        }
        throw err;
      }
      return this.mustGetRun(run.id);
    });
  }

  finishRun(id: string, status: RunStatus, at?: string): RunRecord {
    return this.write('finish run', () =>
      this.db.transaction(() => {
        const finishedAt = FINAL_RUN_STATUSES.has(status) ? this.iso(at) : null;
        const info = this.stmt('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?').run(status, finishedAt, id);
        if (info.changes === 0) throw new StoreError('STORE_ERROR', `No run with id "${id}".`);
        return this.mustGetRun(id);
      })(),
    );
  }

  getRun(id: string): RunRecord | null {
    return this.read(() => {
      const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
      return row ? runFromRow(row) : null;
    });
  }

  listRuns(query: ListRunsQuery): RunRecord[] {
    return this.read(() => {
      const limit = Math.max(0, Math.floor(query.limit));
      const before = query.before === undefined ? null : this.iso(query.before);
      const rows = this.stmt(
        `SELECT * FROM runs WHERE (@before IS NULL OR created_at < @before) AND (@kind IS NULL OR kind = @kind)
         ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
      ).all({ before, kind: query.kind ?? null, limit });
      return (rows as RunRow[]).map(runFromRow);
    });
  }

  listUnfinishedRuns(): RunRecord[] {
    return this.read(() => (this.stmt("SELECT * FROM runs WHERE status IN ('planned', 'running') ORDER BY created_at, rowid").all() as RunRow[]).map(runFromRow));
  }

  interruptRun(id: string): boolean {
    return this.write('mark run interrupted', () => this.stmt("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status IN ('planned', 'running')").run(this.iso(), id).changes > 0);
  }

  resumeRun(id: string, owner: RunOwner): boolean {
    return this.write('take on an interrupted run', () =>
      this.stmt("UPDATE runs SET status = 'running', finished_at = NULL, owner_pid = ?, owner_started_at = ?, owner_host = ? WHERE id = ? AND status = 'interrupted'").run(owner.pid, owner.startedAt, owner.host, id).changes > 0,
    );
  }

  // stages

  startStage(stage: NewStage): StageRecord {
    return this.write('start stage', () => {
      const id = stage.id ?? randomUUID();
      this.insert(
        'INSERT INTO stages (id, run_id, name, status, started_at) VALUES (?, ?, ?, ?, ?)',
        [id, stage.runId, stage.name, 'running', this.iso()],
        `stage "${stage.name}" of run "${stage.runId}"`,
      );
      return stageFromRow(this.stmt('SELECT * FROM stages WHERE id = ?').get(id) as StageRow);
    });
  }

  finishStage(id: string, status: Exclude<StageStatus, 'running'>, at?: string): StageRecord {
    return this.write('finish stage', () =>
      this.db.transaction(() => {
        const info = this.stmt("UPDATE stages SET status = ?, finished_at = ? WHERE id = ? AND status = 'running'").run(status, this.iso(at), id);
        const row = this.stmt('SELECT * FROM stages WHERE id = ?').get(id) as StageRow | undefined;
        if (!row) throw new StoreError('STORE_ERROR', `No stage with id "${id}".`);
        if (info.changes === 0) throw new StoreError('STORE_ERROR', `Stage "${id}" already finished (${row.status}).`);
        return stageFromRow(row);
      })(),
    );
  }

  listStages(runId: string): StageRecord[] {
    return this.read(() => (this.stmt('SELECT * FROM stages WHERE run_id = ? ORDER BY started_at, rowid').all(runId) as StageRow[]).map(stageFromRow));
  }

  // steps (the journal)

  recordIntent(step: StepIntent): StepId {
    return this.write('record step intent', () => {
      const info = this.insert(
        'INSERT INTO steps (run_id, stage_id, kind, target, detail_json, started_at) VALUES (?, ?, ?, ?, ?, ?)',
        [step.runId, step.stageId ?? null, step.kind, this.text(step.target), this.json(step.detail, 'Step detail'), this.iso()],
        `step ${step.kind} → ${step.target}`,
      );
      return Number(info.lastInsertRowid);
    });
  }

  recordResult(stepId: StepId, result: StepResult): StepRecord {
    return this.write('record step result', () =>
      this.db.transaction(() => {
        const info = this.stmt('UPDATE steps SET finished_at = ?, ok = ?, result_json = ? WHERE id = ? AND finished_at IS NULL').run(
          this.iso(),
          result.ok ? 1 : 0,
          this.json(result.detail, 'Step result'),
          stepId,
        );
        const row = this.stmt('SELECT * FROM steps WHERE id = ?').get(stepId) as StepRow | undefined;
        if (!row) throw new StoreError('STORE_ERROR', `No step with id ${stepId}.`);
        if (info.changes === 0) throw new StoreError('STORE_ERROR', `Step ${stepId} already has a result (recorded ${row.finished_at}).`);
        return stepFromRow(row);
      })(),
    );
  }

  listSteps(runId: string): StepRecord[] {
    return this.read(() => (this.stmt('SELECT * FROM steps WHERE run_id = ? ORDER BY id').all(runId) as StepRow[]).map(stepFromRow));
  }

  // events

  appendEvent<K extends RunEventName>(runId: string | null, name: K, payload: RunEventPayload<K>): EventRecord {
    return this.write('append event', () => {
      const row = this.insertEvent({ runId, name, payload } as NewEvent, this.iso());
      return eventFromRow(row);
    });
  }

  /** Appends several events in one transaction (log lines come in bursts; one fsync per burst). */
  appendEvents(entries: ReadonlyArray<NewEvent>): void {
    if (entries.length === 0) return;
    this.write('append events', () =>
      this.db.transaction(() => {
        const at = this.iso();
        for (const entry of entries) this.insertEvent(entry, at);
      })(),
    );
  }

  listEvents(runId: string | null, filter: EventFilter = {}): EventRecord[] {
    return this.read(() => {
      // `IS` also matches NULL (events of no run); an absent filter part matches every row.
      const rows = this.stmt('SELECT * FROM events WHERE run_id IS @runId AND (@name IS NULL OR name = @name) AND id > @afterId ORDER BY id').all({ runId, name: filter.name ?? null, afterId: filter.afterId ?? 0 });
      return (rows as EventRow[]).map(eventFromRow);
    });
  }

  // leases

  acquireLease(request: LeaseRequest, isGone: (holder: LeaseRecord) => boolean): AcquireResult {
    return this.write('take the lease', () =>
      // IMMEDIATE: the read and the swap happen under the write lock, so two processes cannot both win.
      this.db.transaction((): AcquireResult => {
        const row = this.stmt('SELECT * FROM leases WHERE environment = ?').get(request.environment) as LeaseRow | undefined;
        const holder = row ? leaseFromRow(row) : null;
        if (holder && !isGone(holder)) return { acquired: false, holder };
        const at = this.iso();
        this.stmt(
          `INSERT INTO leases (environment, run_id, pid, host, started_at, heartbeat_at, pid_started_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (environment) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host,
             started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, pid_started_at = excluded.pid_started_at`,
        ).run(request.environment, request.runId, request.pid, request.host, at, at, request.processStartedAt ?? null);
        return { acquired: true, lease: { ...request, processStartedAt: request.processStartedAt ?? null, startedAt: at, heartbeatAt: at }, reclaimed: holder };
      }).immediate(),
    );
  }

  heartbeatLease(environment: string, runId: string): boolean {
    return this.write('refresh the lease', () => this.stmt('UPDATE leases SET heartbeat_at = ? WHERE environment = ? AND run_id = ?').run(this.iso(), environment, runId).changes > 0);
  }

  releaseLease(environment: string, runId: string): boolean {
    return this.write('release the lease', () => this.stmt('DELETE FROM leases WHERE environment = ? AND run_id = ?').run(environment, runId).changes > 0);
  }

  getLease(environment: string): LeaseRecord | null {
    return this.read(() => {
      const row = this.stmt('SELECT * FROM leases WHERE environment = ?').get(environment) as LeaseRow | undefined;
      return row ? leaseFromRow(row) : null;
    });
  }

  listLeases(): LeaseRecord[] {
    return this.read(() => (this.stmt('SELECT * FROM leases ORDER BY environment').all() as LeaseRow[]).map(leaseFromRow));
  }

  // passed tests (electron/adapters/sqlite/test-results.ts)

  findPassedTest(key: TestRunKey): PassedTest | null {
    return this.read(() => findPassedTest(this.db, key));
  }

  recordTestOutcome(key: TestRunKey, outcome: { passed: boolean; runId: string }): void {
    this.write('record a test result', () => recordTestOutcome(this.db, key, outcome, this.iso(), (text) => this.text(text)));
  }

  // lifecycle

  schemaVersion(): number {
    return this.read(() => Number(this.db.pragma('user_version', { simple: true })));
  }

  close(): void {
    if (!this.db.open) return;
    this.statements.clear();
    this.db.close();
  }

  // helpers

  private insertEvent(entry: NewEvent, at: string): EventRow {
    let payload: unknown;
    try {
      payload = parseRunEvent(entry.name, entry.payload);
    } catch (err) {
      throw new StoreError('STORE_ERROR', `Cannot record an event: ${errMessage(err)}.`, { cause: err });
    }
    const payloadJson = this.json(payload, 'Event payload');
    const info = this.insert('INSERT INTO events (run_id, name, payload_json, at) VALUES (?, ?, ?, ?)', [entry.runId, entry.name, payloadJson, at], `event ${entry.name}`);
    return { id: Number(info.lastInsertRowid), run_id: entry.runId, name: entry.name, payload_json: payloadJson, at };
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs an INSERT, turning a foreign-key failure into a message that names the missing parent. */
  private insert(sql: string, params: unknown[], what: string): Database.RunResult {
    try {
      return this.stmt(sql).run(...params);
    } catch (err) {
      if (isSqliteCode(err, 'SQLITE_CONSTRAINT_FOREIGNKEY')) {
        throw new StoreError('STORE_ERROR', `Cannot record ${what}: the run or stage it refers to does not exist.`, { cause: err });
      }
      if (isSqliteCode(err, 'SQLITE_CONSTRAINT')) {
        throw new StoreError('STORE_ERROR', `Cannot record ${what}: ${errMessage(err)}.`, { cause: err });
      }
      throw err;
    }
  }

  private mustGetRun(id: string): RunRecord {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new StoreError('STORE_ERROR', `No run with id "${id}".`);
    return runFromRow(row);
  }

  /** An ISO timestamp: now, or `value` normalised (so rows sort by time as text). */
  private iso(value?: string): string {
    if (value === undefined) return this.now().toISOString();
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new StoreError('STORE_ERROR', `"${value}" is not a valid timestamp.`);
    return date.toISOString();
  }

  private write<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStoreError(err, this.file, 'write', what);
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStoreError(err, this.file, 'read', 'read history');
    }
  }
}

export { LATEST_SCHEMA_VERSION };
