// What a transport offers a client: one request/response call and a stream of events.
import type { CallResult } from './contract.js';
import { type ErrorPayload, isErrorCode } from './errors.js';

export interface Channel {
  invoke(name: string, input: unknown): Promise<CallResult<unknown>>;
  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
  /**
   * Subscribes to the end of the connection (transports that can lose it: WebSocket). The listener
   * is called once, with why it ended; at once when it has already ended. Returns the unsubscribe function.
   */
  onClose?(listener: (error: ErrorPayload) => void): () => void;
}

/** Wire messages of the WebSocket transport. */
export type ClientMessage = { type: 'call'; id: number; name: string; input: unknown };
export type ServerMessage =
  | { type: 'result'; id: number; result: CallResult<unknown> }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'error'; error: ErrorPayload };

/**
 * Parses one client message strictly: unknown fields, wrong types and oversized ids are rejected,
 * so that nothing unexpected reaches the dispatcher.
 */
export function parseClientMessage(text: string): ClientMessage | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'message is not valid JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'message must be a JSON object' };
  const record = value as Record<string, unknown>;
  const allowed = new Set(['type', 'id', 'name', 'input']);
  const extra = Object.keys(record).filter((key) => !allowed.has(key));
  if (extra.length > 0) return { error: `unknown field(s): ${extra.slice(0, 5).join(', ')}` };
  if (record.type !== 'call') return { error: 'type must be "call"' };
  if (typeof record.id !== 'number' || !Number.isSafeInteger(record.id) || record.id < 0) {
    return { error: 'id must be a non-negative integer' };
  }
  if (typeof record.name !== 'string' || record.name.length === 0 || record.name.length > 128) {
    return { error: 'name must be a command name of at most 128 characters' };
  }
  return { type: 'call', id: record.id, name: record.name, input: record.input ?? {} };
}

/**
 * Parses one server message for a client. Anything that is not a server message is null (ignored);
 * a result that is not a CallResult still settles its call, as an INTERNAL error.
 */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const m = value as Record<string, unknown>;
  if (m.type === 'result' && typeof m.id === 'number') {
    const result = m.result as CallResult<unknown> | undefined;
    if (result && typeof result === 'object' && typeof result.ok === 'boolean') return { type: 'result', id: m.id, result };
    return {
      type: 'result',
      id: m.id,
      result: { ok: false, error: { code: 'INTERNAL', message: 'The Convoy server sent a malformed result' } },
    };
  }
  if (m.type === 'event' && typeof m.name === 'string') return { type: 'event', name: m.name, payload: m.payload };
  if (m.type === 'error' && m.error && typeof m.error === 'object') {
    const e = m.error as { code?: unknown; message?: unknown };
    return {
      type: 'error',
      error: {
        code: isErrorCode(e.code) ? e.code : 'INTERNAL',
        message: typeof e.message === 'string' ? e.message : 'Unknown server error',
      },
    };
  }
  return null;
}
