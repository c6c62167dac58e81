// Schema migrations on real files: from empty, idempotent on reopen, upgrades, and a failing
// migration that must leave the database at its previous version.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CONVOY_APPLICATION_ID, LATEST_SCHEMA_VERSION, migrations, type Migration } from '../../../electron/adapters/sqlite/migrations.js';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { expectStoreError, tempDir } from './helpers.js';

const TABLES = ['events', 'leases', 'runs', 'stages', 'steps', 'test_results'];

function tableNames(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('are numbered 1..n in order with SQL', () => {
    expect(migrations.length).toBeGreaterThan(0);
    migrations.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.name.trim()).not.toBe('');
      expect(m.up.trim()).not.toBe('');
    });
    expect(LATEST_SCHEMA_VERSION).toBe(migrations[migrations.length - 1]!.version);
  });

  it('create the schema in a fresh, not yet existing directory', () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const store = openStore(dir);
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(store.file).toBe(path.join(dir, 'convoy.db'));
    store.close();

    expect(fs.statSync(path.join(dir, 'convoy.db')).isFile()).toBe(true);
    expect(tableNames(path.join(dir, 'convoy.db'))).toEqual(TABLES);

    const raw = new Database(path.join(dir, 'convoy.db'), { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(raw.pragma('application_id', { simple: true })).toBe(CONVOY_APPLICATION_ID);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const stepColumns = (raw.prepare('PRAGMA table_info(steps)').all() as { name: string }[]).map((c) => c.name);
    expect(stepColumns).toEqual(expect.arrayContaining(['kind', 'target', 'detail_json', 'started_at', 'finished_at', 'ok', 'result_json']));
    const runIndexes = (raw.prepare('PRAGMA index_list(runs)').all() as { name: string }[]).map((i) => i.name);
    const indexed = runIndexes.flatMap((name) => (raw.prepare(`PRAGMA index_info(${name})`).all() as { name: string }[]).map((c) => c.name));
    expect(indexed).toEqual(expect.arrayContaining(['environment', 'created_at']));
    raw.close();
  });

  it('turn foreign keys on', () => {
    const store = openStore(tempDir());
    const error = expectStoreError(() => store.recordIntent({ runId: 'missing', kind: 'k', target: 't', detail: null }), 'STORE_ERROR');
    expect(error.message).toMatch(/does not exist/);
    store.close();
  });

  it('do not run again on reopen; data is kept', () => {
    const dir = tempDir();
    // A migration with a visible side effect: if it ran twice, the table would have two rows
    // (or the CREATE would fail).
    const list: Migration[] = [...migrations, { version: LATEST_SCHEMA_VERSION + 1, name: 'marker', up: 'CREATE TABLE marker (n INTEGER); INSERT INTO marker VALUES (1);' }];
    const first = openStore(dir, { migrations: list });
    first.createRun({ id: 'r1', kind: 'release', workspace: '/ws', base: 'main', head: 'abc' });
    expect(first.schemaVersion()).toBe(LATEST_SCHEMA_VERSION + 1);
    first.close();

    for (let i = 0; i < 2; i++) {
      const again = openStore(dir, { migrations: list });
      expect(again.schemaVersion()).toBe(LATEST_SCHEMA_VERSION + 1);
      expect(again.getRun('r1')?.head).toBe('abc');
      again.close();
    }
    const raw = new Database(path.join(dir, 'convoy.db'), { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM marker').get()).toEqual({ n: 1 });
    raw.close();
  });

  it('2 gives every run recorded under schema 1 the kind "release"', () => {
    const dir = tempDir();
    // A raw schema-1 database with a release row, as the previous version of Convoy left it.
    const raw = new Database(path.join(dir, 'convoy.db'));
    raw.exec(migrations[0]!.up);
    raw.pragma('user_version = 1');
    raw.prepare("INSERT INTO releases (id, workspace, status, created_at) VALUES ('v1', '/ws', 'succeeded', '2026-01-01T00:00:00.000Z')").run();
    raw.close();
    const store = openStore(dir);
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(store.getRun('v1')).toMatchObject({ id: 'v1', kind: 'release', status: 'succeeded' });
    store.close();
  });

  it('apply only the pending ones when a newer build opens an older database', () => {
    const dir = tempDir();
    const v1 = openStore(dir);
    v1.createRun({ id: 'old', kind: 'release', workspace: '/ws', base: null, head: null });
    v1.close();

    const next: Migration = { version: LATEST_SCHEMA_VERSION + 1, name: 'add note column', up: 'ALTER TABLE runs ADD COLUMN note TEXT;' };
    const v2 = openStore(dir, { migrations: [next, ...migrations] }); // order in the array does not matter
    expect(v2.schemaVersion()).toBe(LATEST_SCHEMA_VERSION + 1);
    expect(v2.getRun('old')?.id).toBe('old');
    v2.close();

    const raw = new Database(path.join(dir, 'convoy.db'), { readonly: true });
    const columns = (raw.prepare('PRAGMA table_info(runs)').all() as { name: string }[]).map((c) => c.name);
    raw.close();
    expect(columns).toContain('note');
  });

  it('roll a failing migration back entirely and keep the previous version', () => {
    const dir = tempDir();
    openStore(dir).close();

    const broken: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'half broken',
      up: 'CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    const error = expectStoreError(() => openStore(dir, { migrations: [...migrations, broken] }), 'STORE_ERROR');
    expect(error.message).toContain(`schema version ${LATEST_SCHEMA_VERSION + 1}`);
    expect(error.message).toContain('half broken');

    expect(tableNames(path.join(dir, 'convoy.db'))).not.toContain('half');
    const store = openStore(dir);
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    store.close();
  });
});
