// Migration 3 on a store written by the previous Convoy (schema 2; fixtures/v2-store): every build run
// is still there as a run of kind `build` with its steps and log lines, and every per-service rollback —
// loose events until now — is a run of kind `rollback` with a stage, one journal step and its events.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../../electron/adapters/sqlite/migrations.js';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { tempDir } from './helpers.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'v2-store', 'convoy.db');

/** What the schema-2 file holds, read (from a copy) before anything migrates it. */
function before() {
  // A copy: even a read-only open of a WAL database leaves -wal/-shm files beside it.
  const raw = new Database(path.join(migratedCopy(), 'convoy.db'), { readonly: true });
  try {
    return {
      version: raw.pragma('user_version', { simple: true }),
      builds: raw.prepare("SELECT id, status FROM releases WHERE kind = 'build' ORDER BY id").all() as { id: string; status: string }[],
      buildSteps: raw.prepare('SELECT release_id AS runId, kind, target, ok FROM steps ORDER BY id').all(),
      buildLogs: (raw.prepare("SELECT count(*) AS n FROM events WHERE name = 'build.log'").get() as { n: number }).n,
      rollbacks: raw.prepare("SELECT id, payload_json FROM events WHERE release_id IS NULL AND name = 'target.rollback.started' ORDER BY id").all() as { id: number; payload_json: string }[],
    };
  } finally {
    raw.close();
  }
}

function migratedCopy(): string {
  const dir = tempDir();
  fs.copyFileSync(FIXTURE, path.join(dir, 'convoy.db'));
  return dir;
}

describe('migration 3 (runs) on a store written at schema 2', () => {
  let old: ReturnType<typeof before>;
  beforeAll(() => {
    old = before();
  });

  it('starts from what the previous Convoy wrote: two build runs and three rollbacks, one interrupted', () => {
    expect(old.version).toBe(2);
    expect(old.builds).toEqual([
      { id: 'build-1', status: 'succeeded' },
      { id: 'build-2', status: 'failed' },
    ]);
    expect(old.rollbacks).toHaveLength(3);
  });

  it('keeps every build run, its steps and its log lines', () => {
    const store = openStore(migratedCopy());
    try {
      expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      const builds = store.listRuns({ limit: 100, kind: 'build' });
      expect(builds.map((r) => ({ id: r.id, status: r.status })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(old.builds);
      expect(builds.every((r) => r.environment === null && r.summary === 'build and test: api')).toBe(true);
      const steps = builds.flatMap((r) => store.listSteps(r.id).map((s) => ({ runId: s.runId, kind: s.kind, target: s.target, ok: s.ok === null ? null : s.ok ? 1 : 0 })));
      expect(steps.sort((a, b) => a.runId.localeCompare(b.runId))).toEqual(old.buildSteps);
      expect(store.listStages('build-1')).toMatchObject([{ name: 'build', status: 'succeeded' }]);
      const logs = builds.flatMap((r) => store.listEvents(r.id).filter((e) => e.name === 'build.log'));
      expect(logs).toHaveLength(old.buildLogs);
    } finally {
      store.close();
    }
  });

  it('turns every per-service rollback into a run of kind rollback, with a stage, one step and its events', () => {
    const store = openStore(migratedCopy());
    try {
      const rollbacks = store.listRuns({ limit: 100, kind: 'rollback' });
      expect(rollbacks.map((r) => r.id).sort()).toEqual(old.rollbacks.map((e) => `migrated-rollback-${e.id}`).sort());
      const byId = new Map(rollbacks.map((r) => [r.id, r]));
      const [ok, refused, interrupted] = old.rollbacks.map((e) => byId.get(`migrated-rollback-${e.id}`)!);

      expect(ok).toMatchObject({ kind: 'rollback', environment: 'local', status: 'succeeded', summary: 'roll back local/api to the previous revision' });
      expect(store.listStages(ok!.id)).toMatchObject([{ name: 'rollback', status: 'succeeded' }]);
      expect(store.listSteps(ok!.id)).toMatchObject([
        { kind: 'target.rollback', target: 'local/api', ok: true, detail: { service: 'api', toRevision: null }, result: { ok: true, from: '3', to: '2', current: '4' } },
      ]);
      expect(store.listEvents(ok!.id).map((e) => e.name)).toEqual(['target.rollback.started', 'target.rollback.finished']);

      expect(refused).toMatchObject({ status: 'failed', summary: 'roll back local/api to revision 9' });
      expect(store.listSteps(refused!.id)).toMatchObject([{ ok: false, result: { ok: false, error: { code: 'ROLLBACK_REFUSED' } } }]);

      // Killed between intent and result: the step keeps no result, the run says so.
      expect(interrupted).toMatchObject({ status: 'failed', summary: 'roll back local/web to the previous revision (interrupted: no result was recorded)' });
      expect(store.listSteps(interrupted!.id)).toMatchObject([{ kind: 'target.rollback', target: 'local/web', ok: null, finishedAt: null, result: null }]);
      expect(store.listEvents(interrupted!.id).map((e) => e.name)).toEqual(['target.rollback.started']);

      // Nothing is left outside a run.
      expect(store.listEvents(null)).toEqual([]);
      expect(store.listRuns({ limit: 100 })).toHaveLength(old.builds.length + old.rollbacks.length);
    } finally {
      store.close();
    }
  });

  it('leaves a consistent file: integrity and foreign keys check out, the old tables are gone', () => {
    const dir = migratedCopy();
    openStore(dir).close();
    const raw = new Database(path.join(dir, 'convoy.db'), { readonly: true });
    try {
      expect(raw.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(raw.pragma('foreign_key_check')).toEqual([]);
      const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(['events', 'leases', 'runs', 'stages', 'steps', 'test_results']);
    } finally {
      raw.close();
    }
  });
});
