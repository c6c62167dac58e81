// The history store on SQLite (better-sqlite3): one file, <dataDir>/convoy.db, in WAL mode with
// synchronous=FULL so every committed call survives a crash of the process or the machine.
// Opening (and refusing files it does not understand) lives in open-database.ts.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type {
  ApprovalRecord,
  DrillRecord,
  EventRecord,
  HistoryStore,
  JsonValue,
  ListReleasesQuery,
  NewApproval,
  NewDrill,
  NewRelease,
  NewRevision,
  NewStage,
  ReleaseRecord,
  ReleaseStatus,
  RevisionRecord,
  StageRecord,
  StageStatus,
  StepId,
  StepIntent,
  StepRecord,
  StepResult,
} from '../../core/ports/history-store.js';
import { LATEST_SCHEMA_VERSION } from './migrations.js';
import { type OpenStoreOptions, StoreError, errMessage, isSqliteCode, openDatabase, toStoreError } from './open-database.js';
import {
  type ApprovalRow,
  type DrillRow,
  type EventRow,
  type ReleaseRow,
  type RevisionRow,
  type StageRow,
  type StepRow,
  approvalFromRow,
  drillFromRow,
  eventFromRow,
  releaseFromRow,
  revisionFromRow,
  stageFromRow,
  stepFromRow,
  parseJson,
  toJson,
} from './sqlite-rows.js';

export { DB_FILE_NAME, DEFAULT_BUSY_TIMEOUT_MS, StoreError, type OpenStoreOptions } from './open-database.js';

const FINAL_RELEASE_STATUSES: ReadonlySet<ReleaseStatus> = new Set(['succeeded', 'failed', 'rolled_back', 'cancelled']);

// ── opening ─────────────────────────────────────────────────────────────────────────────────────

export function openStore(dataDir: string, opts: OpenStoreOptions = {}): SqliteStore {
  const { db, file } = openDatabase(dataDir, opts);
  return new SqliteStore(db, file, opts.now ?? (() => new Date()), opts.redact);
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
  ) {}

  private json(value: JsonValue | undefined, what: string): string {
    return toJson(this.redact ? this.redact(value) : value, what);
  }

  private text<T extends string | null | undefined>(value: T): T {
    return this.redact && typeof value === 'string' ? this.redact(value) : value;
  }

  // releases

  createRelease(release: NewRelease): ReleaseRecord {
    return this.write('create release', () => {
      try {
        this.stmt(
          `INSERT INTO releases (id, kind, workspace, base, head, status, created_at, finished_at, summary)
           VALUES (@id, @kind, @workspace, @base, @head, @status, @createdAt, NULL, @summary)`,
        ).run({
          id: release.id,
          kind: release.kind ?? 'release',
          workspace: release.workspace,
          base: release.base ?? null,
          head: release.head ?? null,
          status: release.status ?? 'planned',
          createdAt: this.iso(),
          summary: this.text(release.summary ?? null),
        });
      } catch (err) {
        if (isSqliteCode(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) {
          throw new StoreError('STORE_ERROR', `A release with id "${release.id}" already exists.`, { cause: err });
        }
        throw err;
      }
      return this.mustGetRelease(release.id);
    });
  }

  finishRelease(id: string, status: ReleaseStatus, at?: string): ReleaseRecord {
    return this.write('finish release', () =>
      this.db.transaction(() => {
        const finishedAt = FINAL_RELEASE_STATUSES.has(status) ? this.iso(at) : null;
        const info = this.stmt('UPDATE releases SET status = ?, finished_at = ? WHERE id = ?').run(status, finishedAt, id);
        if (info.changes === 0) throw new StoreError('STORE_ERROR', `No release with id "${id}".`);
        return this.mustGetRelease(id);
      })(),
    );
  }

  getRelease(id: string): ReleaseRecord | null {
    return this.read(() => {
      const row = this.stmt('SELECT * FROM releases WHERE id = ?').get(id) as ReleaseRow | undefined;
      return row ? releaseFromRow(row) : null;
    });
  }

  listReleases(query: ListReleasesQuery): ReleaseRecord[] {
    return this.read(() => {
      const limit = Math.max(0, Math.floor(query.limit));
      const rows =
        query.before === undefined
          ? this.stmt('SELECT * FROM releases ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit)
          : this.stmt('SELECT * FROM releases WHERE created_at < ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(this.iso(query.before), limit);
      return (rows as ReleaseRow[]).map(releaseFromRow);
    });
  }

  // stages

  startStage(stage: NewStage): StageRecord {
    return this.write('start stage', () => {
      const id = stage.id ?? randomUUID();
      this.insert(
        'INSERT INTO stages (id, release_id, name, status, started_at) VALUES (?, ?, ?, ?, ?)',
        [id, stage.releaseId, stage.name, 'running', this.iso()],
        `stage "${stage.name}" of release "${stage.releaseId}"`,
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

  listStages(releaseId: string): StageRecord[] {
    return this.read(() => (this.stmt('SELECT * FROM stages WHERE release_id = ? ORDER BY started_at, rowid').all(releaseId) as StageRow[]).map(stageFromRow));
  }

  // steps

  recordIntent(step: StepIntent): StepId {
    return this.write('record step intent', () => {
      const info = this.insert(
        'INSERT INTO steps (release_id, stage_id, kind, target, detail_json, started_at) VALUES (?, ?, ?, ?, ?, ?)',
        [step.releaseId, step.stageId ?? null, step.kind, this.text(step.target), this.json(step.detail, 'Step detail'), this.iso()],
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

  listSteps(releaseId: string): StepRecord[] {
    return this.read(() => (this.stmt('SELECT * FROM steps WHERE release_id = ? ORDER BY id').all(releaseId) as StepRow[]).map(stepFromRow));
  }

  // events

  appendEvent(releaseId: string | null, name: string, payload: JsonValue): EventRecord {
    return this.write('append event', () => {
      const at = this.iso();
      const payloadJson = this.json(payload, 'Event payload');
      const info = this.insert(
        'INSERT INTO events (release_id, name, payload_json, at) VALUES (?, ?, ?, ?)',
        [releaseId, name, payloadJson, at],
        `event ${name}`,
      );
      return { id: Number(info.lastInsertRowid), releaseId, name, payload: parseJson(payloadJson), at };
    });
  }

  /** Appends several events in one transaction (log lines come in bursts; one fsync per burst). */
  appendEvents(entries: ReadonlyArray<{ releaseId: string | null; name: string; payload: JsonValue }>): void {
    if (entries.length === 0) return;
    this.write('append events', () =>
      this.db.transaction(() => {
        const at = this.iso();
        for (const entry of entries) {
          this.insert(
            'INSERT INTO events (release_id, name, payload_json, at) VALUES (?, ?, ?, ?)',
            [entry.releaseId, entry.name, this.json(entry.payload, 'Event payload'), at],
            `event ${entry.name}`,
          );
        }
      })(),
    );
  }

  listEvents(releaseId: string | null): EventRecord[] {
    return this.read(() => {
      const rows = releaseId === null ? this.stmt('SELECT * FROM events WHERE release_id IS NULL ORDER BY id').all() : this.stmt('SELECT * FROM events WHERE release_id = ? ORDER BY id').all(releaseId);
      return (rows as EventRow[]).map(eventFromRow);
    });
  }

  // revisions

  setRevision(revision: NewRevision): RevisionRecord {
    return this.write('set revision', () => {
      const deployedAt = this.iso();
      const info = this.insert(
        'INSERT INTO revisions (environment, service, revision, image, release_id, deployed_at) VALUES (?, ?, ?, ?, ?, ?)',
        [revision.environment, revision.service, revision.revision, revision.image, revision.releaseId ?? null, deployedAt],
        `revision of ${revision.environment}/${revision.service}`,
      );
      return { ...revision, releaseId: revision.releaseId ?? null, id: Number(info.lastInsertRowid), deployedAt };
    });
  }

  listRevisions(environment: string, service?: string): RevisionRecord[] {
    return this.read(() => {
      const rows =
        service === undefined
          ? this.stmt('SELECT * FROM revisions WHERE environment = ? ORDER BY id DESC').all(environment)
          : this.stmt('SELECT * FROM revisions WHERE environment = ? AND service = ? ORDER BY id DESC').all(environment, service);
      return (rows as RevisionRow[]).map(revisionFromRow);
    });
  }

  currentRevisions(environment: string): RevisionRecord[] {
    return this.read(() =>
      (
        this.stmt(
          `SELECT * FROM revisions WHERE id IN (SELECT max(id) FROM revisions WHERE environment = ? GROUP BY service) ORDER BY service`,
        ).all(environment) as RevisionRow[]
      ).map(revisionFromRow),
    );
  }

  // approvals

  recordApproval(approval: NewApproval): ApprovalRecord {
    return this.write('record approval', () => {
      const info = this.insert(
        'INSERT INTO approvals (release_id, stage_id, approver, decision, comment, at) VALUES (?, ?, ?, ?, ?, ?)',
        [approval.releaseId, approval.stageId ?? null, approval.approver, approval.decision, approval.comment ?? null, this.iso()],
        `approval of release "${approval.releaseId}"`,
      );
      return approvalFromRow(this.stmt('SELECT * FROM approvals WHERE id = ?').get(info.lastInsertRowid) as ApprovalRow);
    });
  }

  listApprovals(releaseId: string): ApprovalRecord[] {
    return this.read(() => (this.stmt('SELECT * FROM approvals WHERE release_id = ? ORDER BY id').all(releaseId) as ApprovalRow[]).map(approvalFromRow));
  }

  // drills

  recordDrill(drill: NewDrill): DrillRecord {
    return this.write('record drill', () => {
      const info = this.insert(
        'INSERT INTO drills (kind, environment, release_id, outcome, started_at, finished_at, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [drill.kind, drill.environment, drill.releaseId ?? null, drill.outcome, this.iso(drill.startedAt), this.iso(drill.finishedAt), this.json(drill.detail, 'Drill detail')],
        `${drill.kind} drill in ${drill.environment}`,
      );
      return drillFromRow(this.stmt('SELECT * FROM drills WHERE id = ?').get(info.lastInsertRowid) as DrillRow);
    });
  }

  listDrills(query: { limit: number; environment?: string }): DrillRecord[] {
    return this.read(() => {
      const limit = Math.max(0, Math.floor(query.limit));
      const rows =
        query.environment === undefined
          ? this.stmt('SELECT * FROM drills ORDER BY finished_at DESC, id DESC LIMIT ?').all(limit)
          : this.stmt('SELECT * FROM drills WHERE environment = ? ORDER BY finished_at DESC, id DESC LIMIT ?').all(query.environment, limit);
      return (rows as DrillRow[]).map(drillFromRow);
    });
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
        throw new StoreError('STORE_ERROR', `Cannot record ${what}: the release or stage it refers to does not exist.`, { cause: err });
      }
      if (isSqliteCode(err, 'SQLITE_CONSTRAINT')) {
        throw new StoreError('STORE_ERROR', `Cannot record ${what}: ${errMessage(err)}.`, { cause: err });
      }
      throw err;
    }
  }

  private mustGetRelease(id: string): ReleaseRecord {
    const row = this.stmt('SELECT * FROM releases WHERE id = ?').get(id) as ReleaseRow | undefined;
    if (!row) throw new StoreError('STORE_ERROR', `No release with id "${id}".`);
    return releaseFromRow(row);
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
