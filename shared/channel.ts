// What a transport offers a client: one request/response call and a stream of events.
import { type CallResult, MAX_MESSAGE_BYTES } from './contract.js';
import { ConvoyError, type ErrorPayload, isErrorCode } from './errors.js';

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

/**
 * The client half of the WebSocket protocol, the same in Node and in the browser: call ids, pending
 * calls, event and close listeners. A socket wrapper feeds it text and tells it when the socket ends.
 */
export interface WireSession {
  /** Sends a call; answers locally when the input cannot go on the wire. */
  call(name: string, input: unknown): Promise<CallResult<unknown>>;
  /** Handles one server message (results settle calls, events reach listeners) and returns it. */
  receive(text: string): ServerMessage | null;
  /** The socket ended: every pending and later call fails with `error`, close listeners hear it once. */
  end(error: ConvoyError): void;
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
  /** Called once when the session ends (at once if it already has). */
  onClose(listener: (error: ConvoyError) => void): () => void;
}

export interface WireSocket {
  /** Whether a call may be sent now; when not, calls fail with `closedError()`. */
  isOpen(): boolean;
  closedError(): ConvoyError;
  /** Sends text; `fail(error)` rejects the call with that error if sending failed. */
  send(text: string, fail: (err: Error) => void): void;
}

export function createWireSession(socket: WireSocket): WireSession {
  const pending = new Map<number, { resolve: (result: CallResult<unknown>) => void; reject: (err: Error) => void }>();
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const closeListeners = new Set<(error: ConvoyError) => void>();
  let ended: ConvoyError | null = null;
  let nextId = 1;

  return {
    call(name, input) {
      if (ended || !socket.isOpen()) return Promise.reject(ended ?? socket.closedError());
      const id = nextId++;
      const message: ClientMessage = { type: 'call', id, name, input };
      let text: string;
      try {
        text = JSON.stringify(message);
      } catch (err) {
        return Promise.resolve({
          ok: false,
          error: { code: 'INVALID_INPUT', message: `Input for ${name} is not JSON: ${(err as Error).message}` },
        });
      }
      if (new TextEncoder().encode(text).length > MAX_MESSAGE_BYTES) {
        return Promise.resolve({
          ok: false,
          error: { code: 'MESSAGE_TOO_LARGE', message: `Input for ${name} is larger than ${MAX_MESSAGE_BYTES} bytes` },
        });
      }
      return new Promise<CallResult<unknown>>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(text, (err) => {
          if (pending.delete(id)) reject(err);
        });
      });
    },
    receive(text) {
      const message = parseServerMessage(text);
      if (message?.type === 'result') {
        const call = pending.get(message.id);
        if (call) {
          pending.delete(message.id);
          call.resolve(message.result);
        }
      } else if (message?.type === 'event') {
        for (const listener of [...listeners]) listener(message.name, message.payload);
      }
      return message;
    },
    end(error) {
      if (ended) return;
      ended = error;
      for (const call of pending.values()) call.reject(error);
      pending.clear();
      for (const listener of [...closeListeners]) listener(error);
      closeListeners.clear();
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose(listener) {
      if (ended) {
        listener(ended);
        return () => {};
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
  };
}
