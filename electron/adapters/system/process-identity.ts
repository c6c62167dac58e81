// This process as a lease holder and run owner (electron/core/lease.ts, electron/core/run-owner.ts):
// its pid, the host name, its start time, and whether another pid on this host still exists (signal 0
// checks without sending anything; EPERM means it exists but belongs to another user).
import fs from 'node:fs';
import os from 'node:os';
import type { ProcessIdentity } from '../../core/lease.js';
import { type OwnerProbe, type RunOwner, runLabels } from '../../core/run-owner.js';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started, as a token that differs for a reused pid: on Linux the start time in clock
 * ticks since boot (field 22 of /proc/<pid>/stat, read after the command name, which may hold spaces).
 * null where /proc is not there (macOS, Windows): the pid alone then decides.
 */
export function processStartToken(pid: number): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at field 3 (state), so field 22 is index 19.
  const start = fields[19];
  return start && /^\d+$/.test(start) ? start : null;
}

export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: os.hostname(), isAlive: isProcessAlive };
}

let self: RunOwner | null = null;

/** This process as the owner of the runs it starts (read once). */
export function currentOwner(): RunOwner {
  self ??= { pid: process.pid, host: os.hostname(), startedAt: processStartToken(process.pid) };
  return self;
}

export function ownerProbe(): OwnerProbe {
  return { self: currentOwner(), isAlive: isProcessAlive, startOf: processStartToken };
}

let scope: string | null = null;

/** The store this process records its runs in (electron/app.ts sets it), labelled on what it creates. */
export function setOwnerScope(next: string | null): void {
  scope = next;
}

/** The labels naming a run of this process, its owner and its store, for anything created in Docker. */
export function ownedBy(runId: string): Record<string, string> {
  return runLabels(runId, currentOwner(), scope);
}
