// Passed tests in convoy.db (migration 4): one row per key, its primary key a SHA-256 over the image ID,
// the command, the whole test environment and the timeout. Environment values (secrets among them)
// enter only that hash; the row keeps their names. A failure deletes the row of its key.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { PassedTest, TestRunKey } from '../../core/ports/test-results.js';

/** Stable over key order: the environment is hashed as sorted [name, value] pairs. */
export function testKeyHash(key: TestRunKey): string {
  const env = Object.entries(key.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify(['convoy.test-result.v1', key.imageId, key.command, env, key.timeoutMs]))
    .digest('hex');
}

interface TestResultRow {
  run_id: string;
  passed_at: string;
}

export function findPassedTest(db: Database.Database, key: TestRunKey): PassedTest | null {
  const row = db.prepare('SELECT run_id, passed_at FROM test_results WHERE key_hash = ?').get(testKeyHash(key)) as TestResultRow | undefined;
  return row ? { runId: row.run_id, passedAt: row.passed_at } : null;
}

export function recordTestOutcome(db: Database.Database, key: TestRunKey, outcome: { passed: boolean; runId: string }, at: string, redact: (text: string) => string): void {
  const hash = testKeyHash(key);
  if (!outcome.passed) {
    db.prepare('DELETE FROM test_results WHERE key_hash = ?').run(hash);
    return;
  }
  db.prepare(
    `INSERT INTO test_results (key_hash, image_id, command_json, env_names, timeout_ms, run_id, passed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (key_hash) DO UPDATE SET run_id = excluded.run_id, passed_at = excluded.passed_at`,
  ).run(hash, key.imageId, redact(JSON.stringify(key.command)), Object.keys(key.env).sort().join(','), key.timeoutMs, outcome.runId, at);
}
