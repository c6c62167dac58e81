// Opening files the store must not touch: newer schema, garbage, truncated, foreign, locked,
// and data directories it cannot write. Each case asserts the code, a message that says what to
// do, and that the file's bytes are unchanged.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../../electron/adapters/sqlite/migrations.js';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { expectStoreError, sha256, tempDir } from './helpers.js';

/** A closed, valid Convoy database with some history in it. */
function seededDb(releases = 10): { dir: string; file: string } {
  const dir = tempDir();
  const store = openStore(dir);
  for (let i = 0; i < releases; i++) {
    store.createRun({ id: `r${i}`, kind: 'release', workspace: '/repo', base: 'main', head: `h${i}`, summary: 'x'.repeat(500) });
    store.appendEvent(`r${i}`, 'build.log', { project: `p${i}`, phase: 'build', line: 'y'.repeat(500) });
  }
  store.close();
  return { dir, file: store.file };
}

describe('a database from a newer Convoy', () => {
  it('is refused with STORE_NEWER_SCHEMA and left unchanged', () => {
    const { dir, file } = seededDb();
    const raw = new Database(file);
    raw.pragma('user_version = 999');
    raw.close();
    const before = sha256(file);

    const error = expectStoreError(() => openStore(dir), 'STORE_NEWER_SCHEMA');
    expect(error.message).toContain(file);
    expect(error.message).toContain('schema version 999');
    expect(error.message).toContain(`(${LATEST_SCHEMA_VERSION})`);
    expect(error.message).toMatch(/Upgrade Convoy/);
    expect(error.message).toMatch(/not changed/);
    expect(sha256(file)).toBe(before);

    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(999);
    check.close();
  });

  it('is refused before anything is written when the file is not in WAL mode (no journal-mode switch)', () => {
    // The first guard must answer before the store turns WAL on: the later guard, inside the write lock,
    // would also refuse, but only after the switch had rewritten the file's header.
    const { dir, file } = seededDb(2);
    const raw = new Database(file);
    raw.pragma('journal_mode = DELETE');
    raw.pragma('user_version = 999');
    raw.close();
    const before = sha256(file);

    expectStoreError(() => openStore(dir), 'STORE_NEWER_SCHEMA');
    expect(sha256(file)).toBe(before);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });
});

describe('a corrupt file', () => {
  it('of random bytes is refused with STORE_CORRUPT and left unchanged', () => {
    const dir = tempDir();
    const file = path.join(dir, 'convoy.db');
    fs.writeFileSync(file, randomBytes(64 * 1024));
    const before = sha256(file);

    const error = expectStoreError(() => openStore(dir), 'STORE_CORRUPT');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/not a valid Convoy database \(file is not a database\)/);
    expect(error.message).toMatch(/left untouched; move it aside/);
    expect(sha256(file)).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['convoy.db']);
  });

  it('of a few bytes of text is refused too', () => {
    const dir = tempDir();
    const file = path.join(dir, 'convoy.db');
    fs.writeFileSync(file, 'not sqlite\n');
    expectStoreError(() => openStore(dir), 'STORE_CORRUPT');
    expect(fs.readFileSync(file, 'utf8')).toBe('not sqlite\n');
  });

  it('that is a truncated real database is refused and left unchanged', () => {
    const { dir, file } = seededDb(80);
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const before = sha256(file);

    const error = expectStoreError(() => openStore(dir), 'STORE_CORRUPT');
    expect(error.message).toContain(file);
    expect(sha256(file)).toBe(before);
  });

  it('with a damaged page inside is caught by the integrity check before any write', () => {
    const { dir, file } = seededDb(80);
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    const pages = bytes.length / pageSize;
    expect(pages).toBeGreaterThan(8);
    // Scribble over a page in the middle (a b-tree page of releases/events), keeping the header.
    const middle = Math.floor(pages / 2) * pageSize;
    bytes.fill(0xab, middle, middle + pageSize);
    fs.writeFileSync(file, bytes);
    const before = sha256(file);

    const error = expectStoreError(() => openStore(dir), 'STORE_CORRUPT');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/left untouched/);
    expect(sha256(file)).toBe(before);
  });

  it("that is another application's SQLite database is refused and left unchanged", () => {
    const dir = tempDir();
    const file = path.join(dir, 'convoy.db');
    const other = new Database(file);
    other.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');");
    other.close();
    const before = sha256(file);

    const error = expectStoreError(() => openStore(dir), 'STORE_CORRUPT');
    expect(error.message).toMatch(/without Convoy's tables/);
    expect(sha256(file)).toBe(before);
  });

  it('an empty file is a fresh database, not corruption', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'convoy.db'), '');
    const store = openStore(dir);
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    store.close();
  });
});

describe('a locked database', () => {
  it('is reported as STORE_LOCKED while another connection holds a write lock', () => {
    const { dir, file } = seededDb(1);
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const started = Date.now();
      const error = expectStoreError(() => openStore(dir, { busyTimeoutMs: 50 }), 'STORE_LOCKED');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(error.message).toContain(file);
      expect(error.message).toMatch(/locked by another process/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // The same call succeeds once the lock is gone: the lock, not the file, was the problem.
    const store = openStore(dir, { busyTimeoutMs: 50 });
    expect(store.getRun('r0')?.id).toBe('r0');
    store.close();
  });

  it('is reported as STORE_LOCKED for a database not yet in WAL mode', () => {
    const dir = tempDir();
    const file = path.join(dir, 'convoy.db');
    const other = new Database(file);
    other.exec('CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);');
    try {
      expectStoreError(() => openStore(dir, { busyTimeoutMs: 50 }), 'STORE_LOCKED');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});

describe('an unwritable data directory', () => {
  it('under a regular file (ENOTDIR) is STORE_UNWRITABLE', () => {
    const parent = path.join(tempDir(), 'a-file');
    fs.writeFileSync(parent, 'x');
    const dataDir = path.join(parent, 'convoy');
    const error = expectStoreError(() => openStore(dataDir), 'STORE_UNWRITABLE');
    expect(error.message).toContain(dataDir);
    expect(error.message).toMatch(/not a directory/);
    expect(error.message).toMatch(/CONVOY_HOME \/ --data/);
    expect(fs.readFileSync(parent, 'utf8')).toBe('x');
  });

  it('that is itself a file is STORE_UNWRITABLE', () => {
    const dataDir = path.join(tempDir(), 'data');
    fs.writeFileSync(dataDir, 'x');
    const error = expectStoreError(() => openStore(dataDir), 'STORE_UNWRITABLE');
    expect(error.message).toMatch(/it is a file, not a directory/);
  });

  it('where no directory can be created (/proc) is STORE_UNWRITABLE, without hanging', () => {
    const dataDir = `/proc/convoy-test-${process.pid}`;
    const error = expectStoreError(() => openStore(dataDir), 'STORE_UNWRITABLE');
    expect(error.message).toContain(dataDir);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('whose convoy.db is a directory is STORE_UNWRITABLE', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'convoy.db'));
    const error = expectStoreError(() => openStore(dir), 'STORE_UNWRITABLE');
    expect(error.message).toMatch(/not a regular file/);
  });
});
