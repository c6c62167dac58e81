// What the core needs from durable history, split by concern: runs and their journal (run-store.ts),
// their events (event-store.ts), per-environment leases (lease-store.ts) and passed tests
// (test-results.ts). The SQLite store implements all of them; test/fakes/store.ts is the in-memory
// twin that the same contract test checks.
import type { EventStore } from './event-store.js';
import type { LeaseStore } from './lease-store.js';
import type { RunStore } from './run-store.js';
import type { TestResultStore } from './test-results.js';

export type { JsonValue } from './json.js';
export type * from './run-store.js';
export type * from './event-store.js';
export type * from './lease-store.js';
export type * from './test-results.js';

/** The store's error codes (a subset of the contract's ErrorCode). */
export type StoreErrorCode = 'STORE_NEWER_SCHEMA' | 'STORE_CORRUPT' | 'STORE_LOCKED' | 'STORE_UNWRITABLE' | 'STORE_FULL' | 'STORE_ERROR';

export interface HistoryStore extends RunStore, EventStore, LeaseStore, TestResultStore {
  schemaVersion(): number;
  /** Idempotent. */
  close(): void;
}
