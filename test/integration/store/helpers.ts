// Temp directories with real SQLite files for the store tests, removed after each test.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { StoreError } from '../../../electron/adapters/sqlite/sqlite-store.js';
import type { StoreErrorCode } from '../../../electron/core/ports/history-store.js';

const created: string[] = [];

afterEach(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the current test. */
export function tempDir(prefix = 'convoy-store-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Runs fn, expects a StoreError with the code, and returns it for further checks. */
export function expectStoreError(fn: () => unknown, code: StoreErrorCode): StoreError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected a StoreError ${code}`).toBeInstanceOf(StoreError);
  const error = thrown as StoreError;
  expect(error.code, error.message).toBe(code);
  expect(error).toBeInstanceOf(Error);
  return error;
}

/** A clock that advances one second per call, so ordering by time is deterministic. */
export function steppingClock(start = Date.parse('2025-01-01T00:00:00.000Z')): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}
