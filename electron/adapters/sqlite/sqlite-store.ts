// The history store on SQLite (better-sqlite3): one file, <dataDir>/convoy.db, in WAL mode with
// synchronous=FULL so every committed call survives a crash of the process or the machine.
//
// Opening is careful with files it does not understand: a file that is not a database, a damaged
// database, another application's database or one written by a newer Convoy is reported with a
// StoreError and left byte-for-byte untouched (no migrations, no journal-mode change, no rewrite).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConvoyError } from '../../../shared/errors.js';
import type {
  ApprovalDecision,
  ApprovalRecord,
  DrillOutcome,
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
  StoreErrorCode,
} from '../../core/ports/history-store.js';
import { CONVOY_APPLICATION_ID, LATEST_SCHEMA_VERSION, migrations as defaultMigrations, type Migration } from './migrations.js';

export const DB_FILE_NAME = 'convoy.db';
export const DEFAULT_BUSY_TIMEOUT_MS = 2000;

const MOVE_ELSEWHERE = 'point CONVOY_HOME / --data at another directory';

export class StoreError extends ConvoyError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message);
    this.name = 'StoreError';
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

export interface OpenStoreOptions {
  /** Clock for timestamps (tests). */
  now?: () => Date;
  /** How long to wait for another connection's write lock before failing with STORE_LOCKED. */
  busyTimeoutMs?: number;
  /** Run `PRAGMA quick_check` on an existing database before writing to it (default true). */
  quickCheck?: boolean;
  /** The migrations to apply (tests); defaults to the built-in list. */
  migrations?: readonly Migration[];
}

const FINAL_RELEASE_STATUSES: ReadonlySet<ReleaseStatus> = new Set(['succeeded', 'failed', 'rolled_back', 'cancelled']);

// ── opening ─────────────────────────────────────────────────────────────────────────────────────

export function openStore(dataDir: string, opts: OpenStoreOptions = {}): SqliteStore {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, DB_FILE_NAME);
  const list = [...(opts.migrations ?? defaultMigrations)].sort((a, b) => a.version - b.version);
  const latest = list.reduce((max, m) => Math.max(max, m.version), 0);

  ensureDataDir(dir);
  const existing = inspectFile(file);

  let db: Database.Database;
  try {
    db = new Database(file, { timeout: Math.max(0, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS) });
  } catch (err) {
    throw toStoreError(err, file, 'open');
  }
  try {
    checkBeforeWriting(db, file, latest, existing && opts.quickCheck !== false);
    configure(db);
    migrate(db, file, list, latest);
  } catch (err) {
    closeQuietly(db);
    throw toStoreError(err, file, 'open');
  }
  return new SqliteStore(db, file, opts.now ?? (() => new Date()));
}

/** mkdir -p that reports a clear STORE_UNWRITABLE. (Not fs.mkdirSync's recursive mode: on Node 20 it
 *  loops forever when mkdir answers ENOENT under an existing parent, as it does in /proc.) */
function ensureDataDir(dir: string): void {
  try {
    makeDir(dir);
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    const code = errnoCode(err);
    const reason = dirProblem(dir, code, err);
    throw new StoreError(
      'STORE_UNWRITABLE',
      `Convoy cannot use ${dir} as its data directory (${reason}${code && !reason.includes(code) ? `, ${code}` : ''}). ` +
        `Make sure it is a writable directory, or ${MOVE_ELSEWHERE}.`,
      { cause: err },
    );
  }
}

function dirProblem(dir: string, code: string | undefined, err: unknown): string {
  switch (code) {
    case 'ENOTDIR':
      return isNonDirectory(dir) ? 'it is a file, not a directory' : 'a part of that path is a file, not a directory';
    case 'ENOENT':
      return 'no directory can be created there';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return errMessage(err);
  }
}

function isNonDirectory(p: string): boolean {
  try {
    return !fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function makeDir(dir: string): void {
  try {
    fs.mkdirSync(dir);
    return;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') {
      if (fs.statSync(dir).isDirectory()) return;
      throw Object.assign(new Error(`${dir} exists and is not a directory`), { code: 'ENOTDIR' });
    }
    if (code !== 'ENOENT') throw err;
  }
  const parent = path.dirname(dir);
  if (parent === dir) throw Object.assign(new Error(`cannot create ${dir}`), { code: 'ENOENT' });
  makeDir(parent);
  fs.mkdirSync(dir); // a second ENOENT (e.g. under /proc) is thrown, not retried
}

/** True when the file exists with content (an empty or missing file is a fresh database). */
function inspectFile(file: string): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw new StoreError('STORE_UNWRITABLE', `Convoy cannot read its database at ${file} (${errMessage(err)}). Fix its permissions, or ${MOVE_ELSEWHERE}.`, {
      cause: err,
    });
  }
  if (!stat.isFile()) {
    throw new StoreError(
      'STORE_UNWRITABLE',
      `Convoy database path ${file} is not a regular file (it is a ${stat.isDirectory() ? 'directory' : 'special file'}). Move it aside, or ${MOVE_ELSEWHERE}.`,
    );
  }
  return stat.size > 0;
}

/** Read-only checks. Anything that fails here leaves the file exactly as it was. */
function checkBeforeWriting(db: Database.Database, file: string, latest: number, quickCheck: boolean): void {
  // Reading the header and the schema fails with SQLITE_NOTADB / SQLITE_CORRUPT on garbage.
  const appId = Number(db.pragma('application_id', { simple: true }));
  const version = Number(db.pragma('user_version', { simple: true }));
  const objects = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n;

  if (appId !== 0 && appId !== CONVOY_APPLICATION_ID) {
    throw corrupt(file, `it is an SQLite database of another application, application_id 0x${(appId >>> 0).toString(16)}`);
  }
  if (version > latest) throw newerSchema(file, version, latest);
  if (appId === 0 && (objects > 0 || version > 0)) {
    throw corrupt(file, `it is an SQLite database without Convoy's tables: ${objects} other object(s), schema version ${version}`);
  }
  if (quickCheck) {
    const rows = db.pragma('quick_check') as Array<Record<string, unknown>>;
    const problems = rows.map((row) => String(Object.values(row)[0])).filter((line) => line !== 'ok');
    if (problems.length > 0) {
      const shown = problems.slice(0, 3).join('; ');
      throw corrupt(file, `integrity check failed: ${shown}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`);
    }
  }
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

/** Applies pending migrations one transaction each. Always takes the write lock once, so a database
 *  held by another writer is reported as STORE_LOCKED at open rather than at the first write. */
function migrate(db: Database.Database, file: string, list: readonly Migration[], latest: number): void {
  const readVersion = () => Number(db.pragma('user_version', { simple: true }));
  const inLock = (fn: () => void) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  };

  inLock(() => {
    const version = readVersion();
    if (version > latest) throw newerSchema(file, version, latest); // migrated meanwhile by a newer Convoy
  });
  for (const migration of list) {
    if (!Number.isSafeInteger(migration.version) || migration.version < 1) {
      throw new StoreError('STORE_ERROR', `Invalid migration version ${migration.version} (${migration.name}).`);
    }
    if (migration.version <= readVersion()) continue;
    inLock(() => {
      if (migration.version <= readVersion()) return; // another process got there first
      try {
        db.exec(migration.up);
      } catch (err) {
        if (err instanceof StoreError || isSqliteCode(err, 'SQLITE_BUSY') || isSqliteCode(err, 'SQLITE_LOCKED')) throw err;
        throw new StoreError(
          'STORE_ERROR',
          `Convoy could not upgrade its database at ${file} to schema version ${migration.version} (${migration.name}): ${errMessage(err)}. Nothing was changed.`,
          { cause: err },
        );
      }
      db.pragma(`user_version = ${migration.version}`);
    });
  }
}

// ── errors ──────────────────────────────────────────────────────────────────────────────────────

function newerSchema(file: string, found: number, supported: number): StoreError {
  return new StoreError(
    'STORE_NEWER_SCHEMA',
    `Convoy database at ${file} has schema version ${found}, newer than this Convoy supports (${supported}). ` +
      `Upgrade Convoy, or ${MOVE_ELSEWHERE}. The file was not changed.`,
  );
}

function corrupt(file: string, why: string): StoreError {
  return new StoreError(
    'STORE_CORRUPT',
    `Convoy database at ${file} is not a valid Convoy database (${why}). It was left untouched; move it aside to start fresh.`,
  );
}

function errnoCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isSqliteCode(err: unknown, prefix: string): boolean {
  const code = errnoCode(err);
  return code !== undefined && (code === prefix || code.startsWith(`${prefix}_`));
}

/** Maps anything thrown by better-sqlite3 to a StoreError that says what happened and what to do. */
function toStoreError(err: unknown, file: string, phase: 'open' | 'write' | 'read', what: string = phase): StoreError {
  if (err instanceof StoreError) return err;
  const detail = errMessage(err);
  if (isSqliteCode(err, 'SQLITE_BUSY') || isSqliteCode(err, 'SQLITE_LOCKED')) {
    return new StoreError(
      'STORE_LOCKED',
      `Convoy database at ${file} is locked by another process that is writing to it (${detail}). ` +
        `Close the other Convoy window or command and try again, or ${MOVE_ELSEWHERE}.`,
      { cause: err },
    );
  }
  if (isSqliteCode(err, 'SQLITE_NOTADB') || isSqliteCode(err, 'SQLITE_CORRUPT')) {
    if (phase === 'open') {
      const error = corrupt(file, detail);
      error.cause = err;
      return error;
    }
    return new StoreError(
      'STORE_CORRUPT',
      `Convoy database at ${file} is damaged (${detail}). Stop Convoy, move the file aside and start again; keep the copy if you need its history.`,
      { cause: err },
    );
  }
  if (isSqliteCode(err, 'SQLITE_CANTOPEN') || isSqliteCode(err, 'SQLITE_READONLY') || isSqliteCode(err, 'SQLITE_PERM')) {
    return new StoreError(
      'STORE_UNWRITABLE',
      `Convoy cannot write its database at ${file} (${detail}). Make sure ${path.dirname(file)} is a writable directory, or ${MOVE_ELSEWHERE}.`,
      { cause: err },
    );
  }
  if (isSqliteCode(err, 'SQLITE_FULL')) {
    return new StoreError('STORE_ERROR', `Convoy could not write its database at ${file}: the disk is full. Free some space and try again.`, { cause: err });
  }
  if (err instanceof TypeError && /not open/i.test(detail)) {
    return new StoreError('STORE_ERROR', `The history store at ${file} is closed.`, { cause: err });
  }
  return new StoreError('STORE_ERROR', `Convoy database at ${file}: could not ${what} (${detail}).`, { cause: err });
}

function closeQuietly(db: Database.Database): void {
  try {
    if (db.open) db.close();
  } catch {
    // already reporting the original error
  }
}

// ── rows ────────────────────────────────────────────────────────────────────────────────────────

interface ReleaseRow {
  id: string;
  workspace: string;
  base: string | null;
  head: string | null;
  status: ReleaseStatus;
  created_at: string;
  finished_at: string | null;
  summary: string | null;
}
interface StageRow {
  id: string;
  release_id: string;
  name: string;
  status: StageStatus;
  started_at: string;
  finished_at: string | null;
}
interface StepRow {
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
interface EventRow {
  id: number;
  release_id: string | null;
  name: string;
  payload_json: string;
  at: string;
}
interface RevisionRow {
  id: number;
  environment: string;
  service: string;
  revision: string;
  image: string;
  release_id: string | null;
  deployed_at: string;
}
interface ApprovalRow {
  id: number;
  release_id: string;
  stage_id: string | null;
  approver: string;
  decision: ApprovalDecision;
  comment: string | null;
  at: string;
}
interface DrillRow {
  id: number;
  kind: string;
  environment: string;
  release_id: string | null;
  outcome: DrillOutcome;
  started_at: string;
  finished_at: string;
  detail_json: string;
}

const releaseFromRow = (r: ReleaseRow): ReleaseRecord => ({
  id: r.id,
  workspace: r.workspace,
  base: r.base,
  head: r.head,
  status: r.status,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  summary: r.summary,
});
const stageFromRow = (r: StageRow): StageRecord => ({
  id: r.id,
  releaseId: r.release_id,
  name: r.name,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});
const stepFromRow = (r: StepRow): StepRecord => ({
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
const eventFromRow = (r: EventRow): EventRecord => ({ id: r.id, releaseId: r.release_id, name: r.name, payload: parseJson(r.payload_json), at: r.at });
const revisionFromRow = (r: RevisionRow): RevisionRecord => ({
  id: r.id,
  environment: r.environment,
  service: r.service,
  revision: r.revision,
  image: r.image,
  releaseId: r.release_id,
  deployedAt: r.deployed_at,
});
const approvalFromRow = (r: ApprovalRow): ApprovalRecord => ({
  id: r.id,
  releaseId: r.release_id,
  stageId: r.stage_id,
  approver: r.approver,
  decision: r.decision,
  comment: r.comment,
  at: r.at,
});
const drillFromRow = (r: DrillRow): DrillRecord => ({
  id: r.id,
  kind: r.kind,
  environment: r.environment,
  releaseId: r.release_id,
  outcome: r.outcome,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  detail: parseJson(r.detail_json),
});

function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}

function toJson(value: JsonValue | undefined, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (err) {
    throw new StoreError('STORE_ERROR', `${what} is not JSON-serialisable (${errMessage(err)}).`, { cause: err });
  }
  return text ?? 'null';
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
  ) {}

  // releases

  createRelease(release: NewRelease): ReleaseRecord {
    return this.write('create release', () => {
      try {
        this.stmt(
          `INSERT INTO releases (id, workspace, base, head, status, created_at, finished_at, summary)
           VALUES (@id, @workspace, @base, @head, @status, @createdAt, NULL, @summary)`,
        ).run({
          id: release.id,
          workspace: release.workspace,
          base: release.base ?? null,
          head: release.head ?? null,
          status: release.status ?? 'planned',
          createdAt: this.iso(),
          summary: release.summary ?? null,
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
        [step.releaseId, step.stageId ?? null, step.kind, step.target, toJson(step.detail, 'Step detail'), this.iso()],
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
          toJson(result.detail, 'Step result'),
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
      const payloadJson = toJson(payload, 'Event payload');
      const info = this.insert(
        'INSERT INTO events (release_id, name, payload_json, at) VALUES (?, ?, ?, ?)',
        [releaseId, name, payloadJson, at],
        `event ${name}`,
      );
      return { id: Number(info.lastInsertRowid), releaseId, name, payload: parseJson(payloadJson), at };
    });
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
        [drill.kind, drill.environment, drill.releaseId ?? null, drill.outcome, this.iso(drill.startedAt), this.iso(drill.finishedAt), toJson(drill.detail, 'Drill detail')],
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
