// The event sink services publish to; transports subscribe and forward (no service touches a window).
import type { EventName, EventPayload } from '../../shared/contract.js';

export type EventListener = (name: EventName, payload: unknown) => void;

export interface EventSink {
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
}

export interface EventBus extends EventSink {
  subscribe(listener: EventListener): () => void;
}

export interface EventBusOptions {
  /** The redaction gate: every payload passes it before any subscriber sees it. */
  redact?: <T>(value: T) => T;
}

export function createEventBus(options: EventBusOptions = {}): EventBus {
  const listeners = new Set<EventListener>();
  return {
    emit(name, raw) {
      const payload = options.redact ? options.redact(raw) : raw;
      for (const listener of [...listeners]) {
        try {
          listener(name, payload);
        } catch {
          // One broken subscriber (a closed socket, say) must not stop the others.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
