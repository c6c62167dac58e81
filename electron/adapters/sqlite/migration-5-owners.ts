// Migration 5: crash recovery (issue 13). A run records the process that runs it (pid, that process's
// start time, host), so a later process can tell a run whose process is gone from one still at work,
// and a run can be `interrupted`. SQLite cannot change a CHECK in place, so `runs` is rebuilt (foreign
// keys off; migrate() checks them before it commits). A lease records its holder's process start time
// too, so a reused pid is not taken for the holder. Frozen as shipped: never edit, append a migration.
export const OWNERS_MIGRATION = `
  CREATE TABLE runs_v5 (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('build', 'release', 'rollback', 'drill')),
    workspace        TEXT NOT NULL,
    environment      TEXT,
    base             TEXT,
    head             TEXT,
    status           TEXT NOT NULL CHECK (status IN ('planned', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled', 'interrupted')),
    created_at       TEXT NOT NULL,
    finished_at      TEXT,
    summary          TEXT,
    owner_pid        INTEGER,
    owner_started_at TEXT,
    owner_host       TEXT
  );
  INSERT INTO runs_v5 (id, kind, workspace, environment, base, head, status, created_at, finished_at, summary)
    SELECT id, kind, workspace, environment, base, head, status, created_at, finished_at, summary FROM runs ORDER BY rowid;
  DROP TABLE runs;
  ALTER TABLE runs_v5 RENAME TO runs;
  CREATE INDEX runs_created_at ON runs (created_at);
  CREATE INDEX runs_environment ON runs (environment, created_at);
  CREATE INDEX runs_status ON runs (status);

  ALTER TABLE leases ADD COLUMN pid_started_at TEXT;
`;
