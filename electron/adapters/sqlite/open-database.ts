// Opening the history database carefully: a file that is not a database, a damaged database,
// another application's database or one written by a newer Convoy is reported with a StoreError and
// left byte-for-byte untouched (no migrations, no journal-mode change, no rewrite).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConvoyError } from '../../../shared/errors.js';
import type { RunOwner, StoreErrorCode } from '../../core/ports/history-store.js';
import { CONVOY_APPLICATION_ID, migrations as defaultMigrations, type Migration } from './migrations.js';
import { makePrivateDatabase, makePrivateDir, type Notice, PRIVATE_DIR_MODE } from './private-files.js';

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
  /** Told when Convoy tightens the permissions of an existing data directory or database (default: stderr). */
  notice?: Notice;
  /** The redaction gate applied to every stored text and JSON value (see SqliteStore). */
  redact?: <T>(value: T) => T;
  /** The process that opened the store: the owner of every run it creates unless one is given. */
  owner?: RunOwner;
  /** Caps the database at this many pages (`PRAGMA max_page_count`): tests use it to fill the "disk". */
  maxPageCount?: number;
}

/** The migrations to apply, in version order, and the schema version they end at. */
function migrationPlan(opts: OpenStoreOptions): { list: Migration[]; latest: number } {
  const list = [...(opts.migrations ?? defaultMigrations)].sort((a, b) => a.version - b.version);
  return { list, latest: list.reduce((max, m) => Math.max(max, m.version), 0) };
}

export function openDatabase(dataDir: string, opts: OpenStoreOptions = {}): { db: Database.Database; file: string } {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, DB_FILE_NAME);
  const { list, latest } = migrationPlan(opts);

  const notice = opts.notice ?? ((text: string) => void process.stderr.write(text));
  ensureDataDir(dir);
  makePrivateDir(dir, notice);
  const existing = inspectFile(file);
  makePrivateDatabase(file, notice);

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
    if (opts.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxPageCount))}`);
  } catch (err) {
    closeQuietly(db);
    throw toStoreError(err, file, 'open');
  }
  return { db, file };
}

/** mkdir -p that reports a clear STORE_UNWRITABLE. (Not fs.mkdirSync's recursive mode: on Node 20 it
 *  loops forever when mkdir answers ENOENT under an existing parent, as it does in /proc.) */
function ensureDataDir(dir: string): void {
  try {
    makeDir(dir, PRIVATE_DIR_MODE);
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

function makeDir(dir: string, mode?: number): void {
  try {
    fs.mkdirSync(dir, mode);
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
  fs.mkdirSync(dir, mode); // a second ENOENT (e.g. under /proc) is thrown, not retried
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

/**
 * A store in memory, for a command that only reads (affected) when the data directory cannot be
 * written: the same schema, nothing kept after the process.
 */
export function openMemoryDatabase(opts: OpenStoreOptions = {}): { db: Database.Database; file: string } {
  const file = ':memory:';
  const { list, latest } = migrationPlan(opts);
  const db = new Database(file);
  try {
    db.pragma('foreign_keys = ON');
    migrate(db, file, list, latest);
  } catch (err) {
    closeQuietly(db);
    throw toStoreError(err, file, 'open');
  }
  return { db, file };
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
    // Foreign keys can only be switched outside a transaction; off, DROP TABLE cascades nothing.
    if (migration.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      inLock(() => {
        if (migration.version <= readVersion()) return; // another process got there first
        try {
          db.exec(migration.up);
          if (migration.rebuildsTables) checkForeignKeys(db);
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
    } finally {
      if (migration.rebuildsTables) db.pragma('foreign_keys = ON');
    }
  }
}

function checkForeignKeys(db: Database.Database): void {
  const broken = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
  if (broken.length > 0) {
    const first = broken[0]!;
    throw new Error(`${broken.length} row(s) refer to rows that do not exist, e.g. ${first.table} row ${first.rowid} → ${first.parent}`);
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

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isSqliteCode(err: unknown, prefix: string): boolean {
  const code = errnoCode(err);
  return code !== undefined && (code === prefix || code.startsWith(`${prefix}_`));
}

/** Maps anything thrown by better-sqlite3 to a StoreError that says what happened and what to do. */
export function toStoreError(err: unknown, file: string, phase: 'open' | 'write' | 'read', what: string = phase): StoreError {
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
    return new StoreError('STORE_FULL', `Convoy could not write its database at ${file}: the disk is full (${detail}). Free some space and try again.`, { cause: err });
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
