// Crash safety: a child process writes releases and reports each commit on stdout; it is killed
// with SIGKILL mid-stream, and every release it reported must be in the reopened database, which
// must pass `PRAGMA integrity_check`. No sleeps: the test waits on stdout lines with a deadline.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { tempDir } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..');
const writer = path.join(here, 'fixtures', 'writer.ts');

const KILL_AFTER = 50;
const DEADLINE_MS = 25_000;

interface Run {
  committed: string[];
  sawReady: boolean;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Starts the writer, SIGKILLs it after KILL_AFTER commit lines, and collects every line it printed. */
function runAndKill(dataDir: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { committed: [], sawReady: false, signal: null, code: null, stderr: '' };
    let killed = false;
    let linesDone = false;
    let exited = false;
    const finish = () => {
      if (linesDone && exited) {
        clearTimeout(deadline);
        resolve(run);
      }
    };
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer produced ${run.committed.length}/${KILL_AFTER} commit lines within ${DEADLINE_MS} ms; stderr:\n${run.stderr}`));
    }, DEADLINE_MS);

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (run.stderr += chunk));
    const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line === 'ready') run.sawReady = true;
      else if (line.startsWith('committed ')) run.committed.push(line.slice('committed '.length));
      if (!killed && run.committed.length >= KILL_AFTER) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    lines.on('close', () => {
      linesDone = true;
      finish();
    });
    child.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      run.code = code;
      run.signal = signal;
      exited = true;
      finish();
    });
  });
}

describe('crash safety', () => {
  it('keeps every release whose commit was reported before SIGKILL', async () => {
    const dir = tempDir();
    const run = await runAndKill(dir);

    expect(run.stderr).toBe('');
    expect(run.sawReady).toBe(true);
    expect(run.signal).toBe('SIGKILL');
    expect(run.committed.length).toBeGreaterThanOrEqual(KILL_AFTER);

    // Reopen in this process: WAL recovery, quick_check and the lock check all run here.
    const store = openStore(dir);
    try {
      const missing = run.committed.filter((id) => store.getRun(id) === null);
      expect(missing).toEqual([]);
      const all = store.listRuns({ limit: 1_000_000 });
      expect(all.length).toBeGreaterThanOrEqual(run.committed.length);
      // Ids are sequential: no gaps, and whatever is there beyond the last reported line is the
      // at most one release created before its line got out.
      expect(all.length).toBeLessThanOrEqual(run.committed.length + 1);
      // Intent always precedes result: a succeeded release has every step finished and ok.
      for (const release of all.filter((r) => r.status === 'succeeded')) {
        const steps = store.listSteps(release.id);
        expect(steps.length, release.id).toBe(1);
        expect(steps[0]!.ok, release.id).toBe(true);
      }
      // The database is still writable after the crash.
      store.createRun({ id: 'after-crash', kind: 'release', workspace: '/repo', base: null, head: null });
    } finally {
      store.close();
    }

    const raw = new Database(path.join(dir, 'convoy.db'), { readonly: true });
    try {
      expect(raw.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(raw.pragma('foreign_key_check')).toEqual([]);
    } finally {
      raw.close();
    }
  });
});
