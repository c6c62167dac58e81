// Schema migrations, in code and in order. The applied version lives in `PRAGMA user_version`;
// each migration runs in its own transaction together with the bump of user_version, so a crash
// leaves the database at the previous version, never half-way. Never edit a shipped migration:
// append a new one.

export interface Migration {
  version: number;
  name: string;
  up: string;
  /** Run with foreign keys off (SQLite's way to rebuild a table others refer to); keys are checked before commit. */
  rebuildsTables?: boolean;
}

/** Written to `PRAGMA application_id` so a Convoy database can be told from any other SQLite file ("Cnvy"). */
export const CONVOY_APPLICATION_ID = 0x436e7679;

import { RUNS_MIGRATION } from './migration-3-runs.js';
import { OWNERS_MIGRATION } from './migration-5-owners.js';

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial history schema',
    up: `
      PRAGMA application_id = ${CONVOY_APPLICATION_ID};

      CREATE TABLE releases (
        id          TEXT PRIMARY KEY,
        workspace   TEXT NOT NULL,
        base        TEXT,
        head        TEXT,
        status      TEXT NOT NULL CHECK (status IN ('planned', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled')),
        created_at  TEXT NOT NULL,
        finished_at TEXT,
        summary     TEXT
      );
      CREATE INDEX releases_created_at ON releases (created_at);

      CREATE TABLE stages (
        id          TEXT PRIMARY KEY,
        release_id  TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled')),
        started_at  TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX stages_release ON stages (release_id);

      -- One row per step: the intent columns are written before the side effect, the result
      -- columns (finished_at, ok, result_json) after it. finished_at IS NULL means "no result".
      CREATE TABLE steps (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        release_id  TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
        stage_id    TEXT REFERENCES stages (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        target      TEXT NOT NULL,
        detail_json TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        ok          INTEGER CHECK (ok IN (0, 1)),
        result_json TEXT,
        CHECK ((finished_at IS NULL) = (ok IS NULL))
      );
      CREATE INDEX steps_release ON steps (release_id, id);

      CREATE TABLE events (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        release_id   TEXT REFERENCES releases (id) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        at           TEXT NOT NULL
      );
      CREATE INDEX events_release ON events (release_id, id);

      CREATE TABLE revisions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        environment TEXT NOT NULL,
        service     TEXT NOT NULL,
        revision    TEXT NOT NULL,
        image       TEXT NOT NULL,
        release_id  TEXT REFERENCES releases (id) ON DELETE SET NULL,
        deployed_at TEXT NOT NULL
      );
      CREATE INDEX revisions_env_service ON revisions (environment, service, id);

      CREATE TABLE approvals (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        release_id TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
        stage_id   TEXT REFERENCES stages (id) ON DELETE CASCADE,
        approver   TEXT NOT NULL,
        decision   TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
        comment    TEXT,
        at         TEXT NOT NULL
      );
      CREATE INDEX approvals_release ON approvals (release_id, id);

      CREATE TABLE drills (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        kind        TEXT NOT NULL,
        environment TEXT NOT NULL,
        release_id  TEXT REFERENCES releases (id) ON DELETE SET NULL,
        outcome     TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'aborted')),
        started_at  TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        detail_json TEXT NOT NULL
      );
      CREATE INDEX drills_env_finished ON drills (environment, finished_at);
    `,
  },
  {
    version: 2,
    name: 'kind of run: a release, or a build-and-test run on its own',
    up: `
      ALTER TABLE releases ADD COLUMN kind TEXT NOT NULL DEFAULT 'release' CHECK (kind IN ('release', 'build'));
      CREATE INDEX events_name ON events (release_id, name);
    `,
  },
  {
    version: 3,
    name: 'runs: every build, release, rollback and drill is a run; per-environment leases',
    rebuildsTables: true,
    up: RUNS_MIGRATION,
  },
  {
    version: 4,
    name: 'passed tests, by image ID, command, hashed environment and timeout',
    // key_hash covers all four (electron/adapters/sqlite/test-results.ts); the environment's values are
    // in it only as a hash. The other columns say what the row is about, for people reading the file.
    up: `
      CREATE TABLE test_results (
        key_hash     TEXT PRIMARY KEY,
        image_id     TEXT NOT NULL,
        command_json TEXT NOT NULL,
        env_names    TEXT NOT NULL,
        timeout_ms   INTEGER NOT NULL,
        run_id       TEXT NOT NULL,
        passed_at    TEXT NOT NULL
      );
      CREATE INDEX test_results_image ON test_results (image_id);
    `,
  },
  {
    version: 5,
    name: 'crash recovery: the process that owns a run, interrupted runs, the lease holder\'s process start time',
    rebuildsTables: true,
    up: OWNERS_MIGRATION,
  },
];

/** The schema version this build of Convoy writes and understands. */
export const LATEST_SCHEMA_VERSION: number = migrations.reduce((max, m) => Math.max(max, m.version), 0);
