// Two real processes contend for one environment's lease on one data directory: the first holds it,
// the second is refused with ENVIRONMENT_BUSY naming the holder's run, pid and host; once the holder
// is SIGKILLed (no chance to release), the next taker reclaims the lease. Waits on conditions with
// deadlines, never on time.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CONTENDER = path.join(REPO, 'test', 'integration', 'lease', 'contender.ts');
const DEADLINE_MS = 60_000;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-lease-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Contender {
  child: ChildProcess;
  /** The first JSON line the child prints. */
  answer: Promise<{ held?: { lease: { runId: string; pid: number; host: string }; reclaimed: { holder: { runId: string; pid: number }; reason: string } | null }; refused?: { code: string; message: string } }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function contend(runId: string, mode: 'hold' | 'once' | 'exit'): Contender {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'run-ts.mjs'), CONTENDER, dataDir, 'staging', runId, mode], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  const answer = new Promise<ReturnType<typeof JSON.parse>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runId}: no answer within ${DEADLINE_MS} ms; stderr: ${stderr}`)), DEADLINE_MS);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    void exited.then(({ code }) => {
      if (!stdout.includes('\n')) {
        clearTimeout(timer);
        reject(new Error(`${runId} exited (${code}) without answering; stderr: ${stderr}`));
      }
    });
  });
  return { child, answer, exited };
}

describe('the environment lease across two processes', () => {
  it('lets one proceed, refuses the other naming the holder, and is reclaimed after the holder is SIGKILLed', async () => {
    const holder = contend('run-A', 'hold');
    const held = await holder.answer;
    expect(held.held?.lease).toMatchObject({ runId: 'run-A', pid: holder.child.pid, host: os.hostname() });

    const refused = contend('run-B', 'hold');
    const answer = await refused.answer;
    expect(answer.refused?.code, JSON.stringify(answer)).toBe('ENVIRONMENT_BUSY');
    expect(answer.refused?.message).toContain('run run-A');
    expect(answer.refused?.message).toContain(`process ${holder.child.pid} on ${os.hostname()}`);
    expect((await refused.exited).code).toBe(3);

    holder.child.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');
    // Killed without releasing: the row is still there.
    const store = openStore(dataDir);
    try {
      expect(store.getLease('staging')).toMatchObject({ runId: 'run-A', pid: holder.child.pid });
    } finally {
      store.close();
    }

    const next = contend('run-C', 'once');
    const taken = await next.answer;
    expect(taken.held?.lease).toMatchObject({ runId: 'run-C', pid: next.child.pid });
    expect(taken.held?.reclaimed).toMatchObject({ holder: { runId: 'run-A', pid: holder.child.pid }, reason: `process ${holder.child.pid} on ${os.hostname()} no longer exists` });
    expect((await next.exited).code).toBe(0);

    const after = openStore(dataDir);
    try {
      expect(after.getLease('staging')).toBeNull();
    } finally {
      after.close();
    }
  });

  it('gives the lease back when a process that holds it through the app exits', async () => {
    const leaving = contend('run-D', 'exit');
    expect((await leaving.answer).held?.lease).toMatchObject({ runId: 'run-D', pid: leaving.child.pid });
    expect((await leaving.exited).code).toBe(0);
    const store = openStore(dataDir);
    try {
      expect(store.getLease('staging')).toBeNull();
    } finally {
      store.close();
    }
  });
});
