// One release per environment, across every Convoy process on one data directory: a lock file per
// environment (`<dataDir>/locks/<environment>.lock`, created with O_EXCL) names the release, process and
// host holding it. A second release is refused with ENVIRONMENT_BUSY naming them; a lock left by a
// process that no longer exists on this host is taken over. Stands in until the store's per-environment
// leases (the `runs` branch) replace it behind the same EnvironmentLock port.
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConvoyError } from '../../../shared/errors.js';
import type { EnvironmentLock } from '../../core/release/run-ports.js';

interface Holder {
  releaseId: string;
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null;
  }
}

export function createFileLock(dataDir: string, now: () => Date = () => new Date()): EnvironmentLock {
  const dir = path.join(dataDir, 'locks');
  const host = os.hostname();

  function take(environment: string, releaseId: string): string {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${environment}.lock`);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, JSON.stringify({ releaseId, pid: process.pid, host, since: now().toISOString() } satisfies Holder));
        closeSync(fd);
        return file;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(file);
      if (holder && (holder.host !== host || alive(holder.pid))) {
        throw new ConvoyError(
          'ENVIRONMENT_BUSY',
          `Environment "${environment}" is busy: release ${holder.releaseId} is running there (process ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
            `Wait for it to finish or cancel it (convoy release cancel ${holder.releaseId}); a lock whose process has died is taken over.`,
        );
      }
      // Its process is gone (or the file is unreadable half-written junk): take it over.
      rmSync(file, { force: true });
    }
    throw new ConvoyError('ENVIRONMENT_BUSY', `Environment "${environment}" could not be locked: ${file} keeps coming back; try again`);
  }

  return {
    async hold(environment, releaseId, work) {
      const file = take(environment, releaseId);
      try {
        return await work();
      } finally {
        if (readHolder(file)?.releaseId === releaseId) rmSync(file, { force: true });
      }
    },
  };
}
