// The browser side of the WebSocket transport: one socket, ids correlated to calls, no reconnects.
// When the socket closes every pending call fails with a message a person can act on.
import { type Channel, type ClientMessage, parseServerMessage } from '../../shared/channel.js';
import { type CallResult, MAX_MESSAGE_BYTES } from '../../shared/contract.js';
import { ConvoyError } from '../../shared/errors.js';

export interface BrowserWebSocketChannel extends Channel {
  /** Called once when an open connection ends (server stopped, client dropped). */
  onClose(listener: (error: ConvoyError) => void): () => void;
  close(): void;
}

/** The part of the browser WebSocket this module uses (so tests can pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

const OPEN = 1;

export const REFUSED_MESSAGE =
  'The Convoy server refused the connection: the access token in this address is wrong or has expired, ' +
  'or the server has stopped. Open the exact URL printed by `convoy serve`.';

function closeError(code: number, reason: string): ConvoyError {
  const why = reason ? ` (${reason})` : '';
  if (code === 1009) return new ConvoyError('MESSAGE_TOO_LARGE', `The Convoy server closed the connection: a message was too large${why}`);
  if (code === 1013) return new ConvoyError('INTERNAL', `The Convoy server dropped this page because it fell behind${why}. Reload to reconnect.`);
  if (code === 1001) return new ConvoyError('INTERNAL', `The Convoy server stopped${why}. Restart \`convoy serve\` and open its new URL.`);
  return new ConvoyError('INTERNAL', `Lost the connection to the Convoy server (code ${code})${why}. Reload to reconnect.`);
}

export function connectBrowserWebSocket(
  url: string,
  factory: WebSocketFactory = (target) => new WebSocket(target) as WebSocketLike,
): Promise<BrowserWebSocketChannel> {
  return new Promise((resolve, reject) => {
    let socket: WebSocketLike;
    try {
      socket = factory(url);
    } catch (err) {
      reject(new ConvoyError('INTERNAL', `Could not open a WebSocket to ${url}: ${(err as Error).message}`));
      return;
    }
    const pending = new Map<number, { resolve: (result: CallResult<unknown>) => void; reject: (err: Error) => void }>();
    const listeners = new Set<(name: string, payload: unknown) => void>();
    const closeListeners = new Set<(error: ConvoyError) => void>();
    let opened = false;
    let ended: ConvoyError | null = null;
    let nextId = 1;

    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const message = parseServerMessage(event.data);
      if (message?.type === 'result') {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        call.resolve(message.result);
      } else if (message?.type === 'event') {
        for (const listener of [...listeners]) listener(message.name, message.payload);
      }
    });

    socket.addEventListener('close', (event) => {
      // A browser hides the HTTP status of a refused handshake; a close before open is a refusal.
      const error = opened ? closeError(event.code, event.reason) : new ConvoyError('UNAUTHORIZED', REFUSED_MESSAGE);
      ended ??= error;
      for (const call of pending.values()) call.reject(ended);
      pending.clear();
      if (!opened) {
        reject(ended);
        return;
      }
      for (const listener of [...closeListeners]) listener(ended);
      closeListeners.clear();
    });

    socket.addEventListener('open', () => {
      opened = true;
      resolve({
        invoke(name, input) {
          if (ended || socket.readyState !== OPEN) {
            return Promise.reject(ended ?? new ConvoyError('INTERNAL', 'The connection to the Convoy server is closed'));
          }
          const id = nextId++;
          const message: ClientMessage = { type: 'call', id, name, input };
          const text = JSON.stringify(message);
          if (new TextEncoder().encode(text).length > MAX_MESSAGE_BYTES) {
            return Promise.resolve({
              ok: false,
              error: { code: 'MESSAGE_TOO_LARGE', message: `Input for ${name} is larger than ${MAX_MESSAGE_BYTES} bytes` },
            });
          }
          return new Promise<CallResult<unknown>>((resolveCall, rejectCall) => {
            pending.set(id, { resolve: resolveCall, reject: rejectCall });
            socket.send(text);
          });
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
        close() {
          ended ??= new ConvoyError('INTERNAL', 'The connection to the Convoy server was closed by this page');
          socket.close(1000, 'page closed');
        },
      });
    });
  });
}
