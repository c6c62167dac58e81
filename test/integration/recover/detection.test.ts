// Detection (issue 13) with real processes and a real store: a run owned by a live second process is
// never marked interrupted when another Convoy process opens the store; once that process is SIGKILLed,
// the next open marks it interrupted and frees its lease. A pid that now belongs to a process started at
// another time is not the owner. Migrations 4 and 5 from a schema-3 store keep its runs, and a run an older
// Convoy left running is interrupted.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { migrations } from '../../../electron/adapters/sqlite/migrations.js';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { processStartedAt } from '../../../electron/adapters/system/process-identity.js';
import { FakeDockerEngine } from '../../fakes/docker-engine.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-detect-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A second live process (it only waits). */
async function liveProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("up\\n"); setInterval(() => {}, 1 << 30)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return child;
}

const open = (dataDir: string) => createApp({ dataDir, docker: new FakeDockerEngine() });

describe('finding runs whose process is gone', { timeout: 30_000 }, () => {
  it('never touches a run whose process lives; interrupts it and frees its lease once the process is killed', async () => {
    const dataDir = tmp();
    const child = await liveProcess();
    const owner = { pid: child.pid!, startedAt: processStartedAt(child.pid!), host: os.hostname() };
    if (process.platform === 'linux') expect(owner.startedAt).toMatch(/^.+\/\d+$/);
    const seed = openStore(dataDir);
    seed.createRun({ id: 'rel-live', kind: 'release', workspace: '/w', environment: 'staging', base: null, head: null, status: 'running', owner });
    seed.acquireLease({ environment: 'staging', runId: 'rel-live', pid: owner.pid, host: owner.host, processStartedAt: owner.startedAt }, () => false);
    seed.close();

    const first = open(dataDir);
    expect(first.interrupted).toEqual([]);
    expect(first.store.getRun('rel-live')).toMatchObject({ status: 'running', owner });
    expect(first.store.getLease('staging')?.runId).toBe('rel-live');
    await first.close();

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const second = open(dataDir);
    expect(second.interrupted.map((r) => [r.run.id, r.freedLeases])).toEqual([['rel-live', ['staging']]]);
    expect(second.interrupted[0]!.reason).toContain(`process ${owner.pid}`);
    expect(second.store.getRun('rel-live')!.status).toBe('interrupted');
    expect(second.store.getLease('staging')).toBeNull();
    await second.close();
  });

  it('a live pid that started at another time is not the owner', async () => {
    if (process.platform !== 'linux') return;
    const dataDir = tmp();
    const child = await liveProcess();
    const seed = openStore(dataDir);
    seed.createRun({ id: 'rel-reused', kind: 'release', workspace: '/w', base: null, head: null, status: 'running', owner: { pid: child.pid!, startedAt: 'another-boot/1', host: os.hostname() } });
    seed.close();
    const app = open(dataDir);
    expect(app.interrupted.map((r) => r.run.id)).toEqual(['rel-reused']);
    await app.close();
  });

  it('migrations 4 and 5 keep a schema-3 store and interrupts the run an older Convoy left running', async () => {
    const dataDir = tmp();
    const v3 = openStore(dataDir, { migrations: migrations.filter((m) => m.version <= 3) });
    expect(v3.schemaVersion()).toBe(3);
    v3.close();
    // Rows as a schema-3 Convoy wrote them (today's store writes the owner columns schema 3 lacks).
    const raw = new Database(path.join(dataDir, 'convoy.db'));
    raw.exec(`
      INSERT INTO runs (id, kind, workspace, environment, base, head, status, created_at, finished_at, summary)
        VALUES ('old-ok', 'release', '/w', 'local', 'a', 'b', 'succeeded', '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z', 's'),
               ('old-running', 'build', '/w', NULL, NULL, NULL, 'running', '2026-01-02T00:00:00.000Z', NULL, NULL);
      INSERT INTO stages (id, run_id, name, status, started_at) VALUES ('st', 'old-running', 'build', 'running', '2026-01-02T00:00:00.000Z');
      INSERT INTO leases (environment, run_id, pid, host, started_at, heartbeat_at) VALUES ('local', 'old-running', 999999, '${os.hostname()}', 'x', 'x');
    `);
    raw.close();

    const app = open(dataDir);
    expect(app.store.schemaVersion()).toBe(5);
    expect(app.store.getRun('old-ok')).toMatchObject({ status: 'succeeded', environment: 'local', base: 'a', head: 'b', summary: 's' });
    expect(app.store.getRun('old-ok')!.owner).toBeUndefined();
    expect(app.interrupted.map((r) => [r.run.id, r.freedLeases])).toEqual([['old-running', ['local']]]);
    expect(app.interrupted[0]!.reason).toContain('older Convoy');
    // The rebuilt table takes the new status and owners, and keys still hold.
    app.store.createRun({ id: 'new', kind: 'release', workspace: '/w', base: null, head: null, status: 'running' });
    expect(app.store.getRun('new')!.owner).toEqual(app.process.self);
    expect(app.store.startStage({ runId: 'old-ok', name: 'x' }).runId).toBe('old-ok');
    expect(app.store.listStages('old-running').map((st) => st.id)).toEqual(['st']);
    await app.close();
  });
});
