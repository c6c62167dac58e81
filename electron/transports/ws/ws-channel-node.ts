// A Node-side Channel over the WebSocket transport (tests, and a `convoy` client of a running console).
import { WebSocket } from 'ws';
import { type Channel, createWireSession } from '../../../shared/channel.js';
import { ConvoyError, type ErrorPayload } from '../../../shared/errors.js';

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
    const errorListeners = new Set<(error: ErrorPayload) => void>();
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

    const session = createWireSession({
      isOpen: () => ws.readyState === WebSocket.OPEN,
      closedError: () => closeError ?? new ConvoyError('INTERNAL', 'The connection to the Convoy server is closed'),
      send: (text, fail) =>
        ws.send(text, (err) => {
          if (err) fail(closeError ?? new ConvoyError('INTERNAL', err.message));
        }),
    });

    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = session.receive(toText(data));
      if (message?.type === 'error') {
        for (const listener of [...errorListeners]) listener(message.error);
      }
    });

    ws.on('close', (code, reason) => {
      const error = closeError ?? describeClose(code, reason.toString('utf8'));
      closeError = error;
      session.end(error);
      settleClosed(code);
      if (!opened) reject(error);
    });

    ws.on('open', () => {
      opened = true;
      resolve({
        invoke: (name, input) => session.call(name, input),
        onEvent: (listener) => session.onEvent(listener),
        onServerError(listener) {
          errorListeners.add(listener);
          return () => errorListeners.delete(listener);
        },
        onClose: (listener) => session.onClose(listener),
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
