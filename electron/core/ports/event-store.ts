// A run's event log. Names come from the closed set in shared/runs.ts and every payload is checked
// against its schema before it is stored (an unknown name or a wrong payload is STORE_ERROR).
import type { RunEventName, RunEventPayload } from '../../../shared/runs.js';

export type { RunEventName, RunEventPayload };

export interface NewEvent<K extends RunEventName = RunEventName> {
  /** null for an event that belongs to no run. */
  runId: string | null;
  name: K;
  payload: RunEventPayload<K>;
}

/** A stored event; `name` tells which payload it carries. */
export type EventRecord = {
  [K in RunEventName]: {
    /** Increasing; usable as a cursor. */
    id: number;
    runId: string | null;
    name: K;
    payload: RunEventPayload<K>;
    at: string;
  };
}[RunEventName];

export interface EventFilter {
  name?: RunEventName;
  /** Only events with a larger id. */
  afterId?: number;
}

export interface EventStore {
  appendEvent<K extends RunEventName>(runId: string | null, name: K, payload: RunEventPayload<K>): EventRecord;
  /** Several events in one transaction: all of them, or none when one is bad. */
  appendEvents(entries: ReadonlyArray<NewEvent>): void;
  /**
   * Oldest first; `null` lists events that belong to no run. `filter` narrows it to one event name and
   * to ids after a cursor (a poll reads only what is new).
   */
  listEvents(runId: string | null, filter?: EventFilter): EventRecord[];
}
