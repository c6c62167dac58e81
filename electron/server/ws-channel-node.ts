// A Node-side Channel over the WebSocket transport (tests, and a `convoy` client of a running console).
import { WebSocket } from 'ws';
import { type Channel, type ClientMessage, parseServerMessage } from '../../shared/channel.js';
import { type CallResult, MAX_MESSAGE_BYTES } from '../../shared/contract.js';
import { ConvoyError, type ErrorPayload } from '../../shared/errors.js';

export interface WebSocketChannel extends Channel {
  /** Errors the server reports outside any call (for example BAD_MESSAGE). */
  onServerError(listener: (error: ErrorPayload) => void): () => void;
  /** Resolves when the connection has closed, with its close code. */
  readonly closed: Promise<number>;
  /** Called once when the open connection ends (at once if it already has), with why it ended. */
  onClose(listener: (error: ConvoyError) => void): () => void;
  close(): void;
}

export interface ConnectOptions {
  /** How long to wait for the handshake, in milliseconds (default 10 s). */
  timeoutMs?: number;
}

function describeClose(code: number, reason: string): ConvoyError {
  const why = reason ? `: ${reason}` : '';
  switch (code) {
    case 1009:
      return new ConvoyError('MESSAGE_TOO_LARGE', `The Convoy server closed the connection because a message was too large${why}`);
    case 1013:
      return new ConvoyError('INTERNAL', `The Convoy server dropped this client because it read too slowly${why}`);
    case 1001:
      return new ConvoyError('INTERNAL', `The Convoy server is shutting down${why}`);
    default:
      return new ConvoyError('INTERNAL', `Connection to the Convoy server closed (code ${code})${why}`);
  }
}

function toText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}

export function connectWebSocket(url: string, options: ConnectOptions = {}): Promise<WebSocketChannel> {
  const target = new URL(url);
  if (target.protocol === 'http:') target.protocol = 'ws:';
  if (target.protocol === 'https:') target.protocol = 'wss:';
  // The console URL (http://host:port/?token=…) and the socket URL (ws://host:port/ws?token=…) both work.
  if (target.pathname === '/' || target.pathname === '') target.pathname = '/ws';

  return new Promise<WebSocketChannel>((resolve, reject) => {
    const ws = new WebSocket(target, { handshakeTimeout: options.timeoutMs ?? 10_000 });
    const pending = new Map<number, { resolve: (result: CallResult<unknown>) => void; reject: (err: Error) => void }>();
    const listeners = new Set<(name: string, payload: unknown) => void>();
    const errorListeners = new Set<(error: ErrorPayload) => void>();
    const closeListeners = new Set<(error: ConvoyError) => void>();
    let ended: ConvoyError | null = null;
    let nextId = 1;
    let opened = false;
    let closeError: ConvoyError | null = null;
    let settleClosed: (code: number) => void = () => {};
    const closed = new Promise<number>((done) => (settleClosed = done));

    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const error =
        status === 401
          ? new ConvoyError('UNAUTHORIZED', 'The Convoy server refused the connection (HTTP 401): the token is missing or wrong')
          : status === 403
            ? new ConvoyError('UNAUTHORIZED', 'The Convoy server refused the connection (HTTP 403): Host or Origin not allowed')
            : new ConvoyError('INTERNAL', `The Convoy server answered HTTP ${status} instead of opening a WebSocket`);
      closeError = error;
      reject(error);
      ws.terminate();
    });

    ws.on('error', (err) => {
      if (!opened) {
        reject(closeError ?? new ConvoyError('INTERNAL', `Could not connect to the Convoy server at ${target.host}: ${err.message}`));
      }
    });

    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = parseServerMessage(toText(data));
      if (message?.type === 'result') {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        call.resolve(message.result);
      } else if (message?.type === 'event') {
        for (const listener of [...listeners]) listener(message.name, message.payload);
      } else if (message?.type === 'error') {
        for (const listener of [...errorListeners]) listener(message.error);
      }
    });

    ws.on('close', (code, reason) => {
      const error = closeError ?? describeClose(code, reason.toString('utf8'));
      closeError = error;
      for (const call of pending.values()) call.reject(error);
      pending.clear();
      settleClosed(code);
      if (!opened) {
        reject(error);
        return;
      }
      ended = error;
      for (const listener of [...closeListeners]) listener(error);
      closeListeners.clear();
    });

    ws.on('open', () => {
      opened = true;
      resolve({
        invoke(name, input) {
          if (ws.readyState !== WebSocket.OPEN) {
            return Promise.reject(closeError ?? new ConvoyError('INTERNAL', 'The connection to the Convoy server is closed'));
          }
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
          if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
            return Promise.resolve({
              ok: false,
              error: { code: 'MESSAGE_TOO_LARGE', message: `Input for ${name} is larger than ${MAX_MESSAGE_BYTES} bytes` },
            });
          }
          return new Promise<CallResult<unknown>>((resolveCall, rejectCall) => {
            pending.set(id, { resolve: resolveCall, reject: rejectCall });
            ws.send(text, (err) => {
              if (err && pending.delete(id)) rejectCall(closeError ?? new ConvoyError('INTERNAL', err.message));
            });
          });
        },
        onEvent(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        onServerError(listener) {
          errorListeners.add(listener);
          return () => errorListeners.delete(listener);
        },
        onClose(listener) {
          if (ended) {
            listener(ended);
            return () => {};
          }
          closeListeners.add(listener);
          return () => closeListeners.delete(listener);
        },
        closed,
        close() {
          if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
            closeError ??= new ConvoyError('INTERNAL', 'The connection to the Convoy server was closed by this client');
            ws.close(1000, 'client closed');
          }
        },
      });
    });
  });
}
