// Test doubles for the renderer: a recorder around any Channel, a Channel answering from a table (for
// states the real app cannot be brought into on demand), and a controllable WebSocket.
import type { Channel } from '../../../shared/channel.js';
import type { CallResult } from '../../../shared/contract.js';
import type { AppInfo, DockerStatus } from '../../../shared/domain.js';
import type { Connection } from '../../../renderer/src/client/transport.js';
import type { WebSocketLike } from '../../../renderer/src/client/ws-channel.js';

export const INFO: AppInfo = {
  name: 'convoy',
  version: '0.1.0',
  dataDir: '/home/dev/.local/share/convoy',
  transport: 'websocket',
  docker: {
    reachable: false,
    endpoint: 'unix:///var/run/docker.sock',
    version: null,
    error: 'Docker Engine not reachable at unix:///var/run/docker.sock (connect ENOENT) — start Docker or set DOCKER_HOST',
  },
  storeSchemaVersion: 1,
};

/** A Docker Engine that answers, as the fake Docker port of the real app reports it. */
export const REACHABLE: DockerStatus = { reachable: true, endpoint: 'unix:///var/run/docker.sock', version: '27.3.1', error: null };

type Handler = (input: unknown, channel: FakeChannel) => CallResult<unknown> | Promise<CallResult<unknown>>;

export interface FakeChannel extends Channel {
  emit(name: string, payload: unknown): void;
  calls: Array<{ name: string; input: unknown }>;
}

/**
 * The same channel, noting every call it carries (name and input) to assert what the console sent,
 * and every answer (a job's id comes back in one).
 */
export function recording(channel: Channel): Channel & {
  calls: Array<{ name: string; input: unknown }>;
  answers: Array<{ name: string; result: CallResult<unknown> }>;
} {
  const calls: Array<{ name: string; input: unknown }> = [];
  const answers: Array<{ name: string; result: CallResult<unknown> }> = [];
  return {
    calls,
    answers,
    async invoke(name, input) {
      calls.push({ name, input });
      const result = await channel.invoke(name, input);
      answers.push({ name, result });
      return result;
    },
    onEvent: (listener) => channel.onEvent(listener),
  };
}

/** Puts the page back at its first address: the console's screen lives in the hash. */
export function resetAddress(): void {
  window.history.replaceState(null, '', '/');
}

export function fakeChannel(handlers: Record<string, Handler>): FakeChannel {
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const channel: FakeChannel = {
    calls: [],
    async invoke(name, input) {
      channel.calls.push({ name, input });
      const handler = handlers[name];
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_COMMAND', message: `Unknown command ${name}` } };
      return handler(input, channel);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(name, payload) {
      for (const listener of [...listeners]) listener(name, payload);
    },
  };
  return channel;
}

/** Answers a job call with its id, then reports progress and the output on later turns, like the core. */
export function jobHandler(jobId: string, command: string, messages: string[], output: unknown): Handler {
  return (_input, channel) => {
    setTimeout(() => {
      for (const message of messages) channel.emit('job.progress', { jobId, command, message, fraction: null });
      setTimeout(() => channel.emit('job.finished', { jobId, command, ok: true, output }), 0);
    }, 0);
    return { ok: true, output: { jobId } };
  };
}

export function connectionOf(channel: Channel, onClose?: (fire: (error: Error) => void) => void): () => Promise<Connection> {
  return async () => ({
    kind: 'websocket',
    channel,
    onClose(listener) {
      onClose?.(listener);
      return () => {};
    },
    close() {},
  });
}

type Listener = (event: never) => void;

/** A WebSocket the test drives: open(), receive(), serverClose(), and the frames the page sent. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  private listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.serverClose(code ?? 1005, reason ?? '');
  }

  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (event: unknown) => void)(event);
  }

  open(): void {
    this.readyState = 1;
    this.fire('open', {});
  }

  receive(message: unknown): void {
    this.fire('message', { data: JSON.stringify(message) });
  }

  serverClose(code: number, reason = ''): void {
    if (this.readyState === 3) return;
    if (this.readyState === 0) this.fire('error', {});
    this.readyState = 3;
    this.fire('close', { code, reason });
  }
}
