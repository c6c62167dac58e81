// This process as a lease holder (electron/core/lease.ts): its pid, the host name, and whether another
// pid on this host still exists (signal 0 checks without sending anything; EPERM means it exists but
// belongs to another user).
import os from 'node:os';
import type { ProcessIdentity } from '../../core/lease.js';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: os.hostname(), isAlive: isProcessAlive };
}
