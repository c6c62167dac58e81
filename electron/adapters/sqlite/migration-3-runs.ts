// Migration 3: the run model (issue 9). `releases` becomes `runs` with four kinds (build, release,
// rollback, drill) and the environment a run changes; `release_id` becomes `run_id`. Per-service
// rollbacks, stored until now as loose `target.rollback.started/finished` events with no run, become
// runs of kind `rollback`, each with a `rollback` stage, one `target.rollback` step (intent = the
// started event, result = the finished one; no result when the process died in between) and their two
// events moved under the run. The revisions, approvals and drills tables had no writer and go: releases,
// drills and approvals are runs, stages and events now. Leases hold an environment for one run.
// Runs with foreign keys off (tables that others refer to are rebuilt); migrate() checks the keys
// before it commits.
export const RUNS_MIGRATION = `
  CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('build', 'release', 'rollback', 'drill')),
    workspace   TEXT NOT NULL,
    environment TEXT,
    base        TEXT,
    head        TEXT,
    status      TEXT NOT NULL CHECK (status IN ('planned', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled')),
    created_at  TEXT NOT NULL,
    finished_at TEXT,
    summary     TEXT
  );
  INSERT INTO runs (id, kind, workspace, environment, base, head, status, created_at, finished_at, summary)
    SELECT id, kind, workspace, NULL, base, head, status, created_at, finished_at, summary FROM releases ORDER BY rowid;

  CREATE TABLE stages_v3 (
    id          TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled')),
    started_at  TEXT NOT NULL,
    finished_at TEXT
  );
  INSERT INTO stages_v3 SELECT id, release_id, name, status, started_at, finished_at FROM stages ORDER BY rowid;

  -- One row per step: the intent columns are written before the side effect, the result columns
  -- (finished_at, ok, result_json) after it. finished_at IS NULL means "no result".
  CREATE TABLE steps_v3 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
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
  INSERT INTO steps_v3 SELECT id, release_id, stage_id, kind, target, detail_json, started_at, finished_at, ok, result_json FROM steps ORDER BY id;

  CREATE TABLE events_v3 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       TEXT REFERENCES runs (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    at           TEXT NOT NULL
  );
  INSERT INTO events_v3 SELECT id, release_id, name, payload_json, at FROM events ORDER BY id;

  DROP TABLE events;
  DROP TABLE steps;
  DROP TABLE approvals;
  DROP TABLE drills;
  DROP TABLE revisions;
  DROP TABLE stages;
  DROP TABLE releases;
  ALTER TABLE stages_v3 RENAME TO stages;
  ALTER TABLE steps_v3 RENAME TO steps;
  ALTER TABLE events_v3 RENAME TO events;
  CREATE INDEX runs_created_at ON runs (created_at);
  CREATE INDEX runs_environment ON runs (environment, created_at);
  CREATE INDEX stages_run ON stages (run_id);
  CREATE INDEX steps_run ON steps (run_id, id);
  CREATE INDEX events_run ON events (run_id, id);
  CREATE INDEX events_name ON events (run_id, name);

  -- Per-service rollbacks: each started event, paired with the first finished event after it for the
  -- same workspace, environment, service and revision (Convoy ran them one at a time per environment).
  CREATE TEMP TABLE rollback_pairs AS
    SELECT s.id AS started,
           (SELECT min(f.id) FROM events f
             WHERE f.run_id IS NULL AND f.name = 'target.rollback.finished' AND f.id > s.id
               AND json_extract(f.payload_json, '$.workspace') IS json_extract(s.payload_json, '$.workspace')
               AND json_extract(f.payload_json, '$.environment') IS json_extract(s.payload_json, '$.environment')
               AND json_extract(f.payload_json, '$.service') IS json_extract(s.payload_json, '$.service')
               AND json_extract(f.payload_json, '$.toRevision') IS json_extract(s.payload_json, '$.toRevision')) AS finished,
           'migrated-rollback-' || s.id AS run_id
      FROM events s
     WHERE s.run_id IS NULL AND s.name = 'target.rollback.started';
  CREATE TEMP VIEW rollback_rows AS
    SELECT p.run_id, p.started, p.finished, s.payload_json AS intent, s.at AS started_at, f.payload_json AS result, f.at AS finished_at,
           json_extract(s.payload_json, '$.workspace') AS workspace,
           json_extract(s.payload_json, '$.environment') AS environment,
           json_extract(s.payload_json, '$.service') AS service,
           json_extract(s.payload_json, '$.toRevision') AS to_revision,
           CASE WHEN f.id IS NULL THEN 'failed'
                WHEN json_extract(f.payload_json, '$.ok') THEN 'succeeded'
                WHEN json_extract(f.payload_json, '$.error.code') = 'CANCELLED' THEN 'cancelled'
                ELSE 'failed' END AS status
      FROM rollback_pairs p JOIN events s ON s.id = p.started LEFT JOIN events f ON f.id = p.finished;

  INSERT INTO runs (id, kind, workspace, environment, base, head, status, created_at, finished_at, summary)
    SELECT run_id, 'rollback', workspace, environment, NULL, NULL, status, started_at, COALESCE(finished_at, started_at),
           'roll back ' || environment || '/' || service || ' to ' || COALESCE('revision ' || to_revision, 'the previous revision') ||
           CASE WHEN finished IS NULL THEN ' (interrupted: no result was recorded)' ELSE '' END
      FROM rollback_rows ORDER BY started;
  INSERT INTO stages (id, run_id, name, status, started_at, finished_at)
    SELECT run_id || ':rollback', run_id, 'rollback', status, started_at, COALESCE(finished_at, started_at) FROM rollback_rows ORDER BY started;
  INSERT INTO steps (run_id, stage_id, kind, target, detail_json, started_at, finished_at, ok, result_json)
    SELECT run_id, run_id || ':rollback', 'target.rollback', environment || '/' || service, intent, started_at, finished_at,
           CASE WHEN finished IS NULL THEN NULL WHEN status = 'succeeded' THEN 1 ELSE 0 END, result
      FROM rollback_rows ORDER BY started;
  UPDATE events SET run_id = (SELECT p.run_id FROM rollback_pairs p WHERE p.started = events.id OR p.finished = events.id)
   WHERE run_id IS NULL AND id IN (SELECT started FROM rollback_pairs UNION SELECT finished FROM rollback_pairs WHERE finished IS NOT NULL);
  DROP VIEW rollback_rows;
  DROP TABLE rollback_pairs;

  CREATE TABLE leases (
    environment  TEXT PRIMARY KEY,
    run_id       TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
  );
`;
