// This process as a lease holder and run owner (electron/core/lease.ts, electron/core/owner.ts): its pid,
// the host name, when it started, and whether another pid on this host is still the same process.
// On Linux the start time is the boot id plus the start tick from /proc/<pid>/stat (field 22), so a pid
// reused after a reboot or by a later program does not pass for the owner. Elsewhere it is null and only
// the pid's existence is checked (signal 0 checks without sending anything; EPERM means it exists but
// belongs to another user).
import fs from 'node:fs';
import os from 'node:os';
import type { ProcessIdentity } from '../../core/lease.js';
import type { ProcessProbe, RunOwner } from '../../core/owner.js';
import { runLabels } from '../../core/run-owner.js';

function bootId(): string | null {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** State letter and start-time token of `pid` from /proc (Linux), or null when it cannot be read. */
function readStat(pid: number): { state: string; startedAt: string } | null {
  if (process.platform !== 'linux') return null;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields[19]; // field 22 (starttime); fields[0] is field 3 (state)
  if (!ticks || !/^\d+$/.test(ticks)) return null;
  return { state: fields[0] ?? '?', startedAt: `${bootId() ?? 'boot'}/${ticks}` };
}

/** The start-time token of `pid`: `<boot id>/<start tick>` on Linux; null elsewhere or when there is no such pid. */
export function processStartedAt(pid: number): string | null {
  return readStat(pid)?.startedAt ?? null;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a live process and, when `startedAt` is given and this platform can read start
 * times, the same one that started then. A zombie (killed, not yet reaped) counts as gone.
 */
export function isProcessAlive(pid: number, startedAt: string | null = null): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  const stat = readStat(pid);
  if (stat) return stat.state !== 'Z' && stat.state !== 'X' && (startedAt === null || stat.startedAt === startedAt);
  return pidExists(pid);
}

let self: RunOwner | null = null;

/** This process as a run owner (computed once). */
export function currentOwner(): RunOwner {
  self ??= { pid: process.pid, startedAt: processStartedAt(process.pid), host: os.hostname() };
  return self;
}

export function currentProcess(): ProcessIdentity & ProcessProbe {
  const owner = currentOwner();
  return { pid: owner.pid, host: owner.host, startedAt: owner.startedAt, self: owner, isAlive: (pid, startedAt) => isProcessAlive(pid, startedAt ?? null) };
}

let scope: string | null = null;

/** The store this process records its runs in (electron/app.ts sets it), labelled on what it creates. */
export function setOwnerScope(next: string | null): void {
  scope = next;
}

/**
 * The labels naming a run of this process, its owner and its store, for anything created in Docker. The
 * owner's start value is the same token the store records on the run row (`<boot id>/<start tick>`), so
 * the sweep judges a labelled resource with the same owner check as a run (electron/core/owner.ts).
 */
export function ownedBy(runId: string): Record<string, string> {
  return runLabels(runId, currentOwner(), scope);
}
