// The browser side of the WebSocket transport: one socket, ids correlated to calls, no reconnects.
// When the socket closes every pending call fails with a message a person can act on.
import { type Channel, createWireSession } from '../../../shared/channel.js';
import { ConvoyError } from '../../../shared/errors.js';

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
    let opened = false;
    // Set when this page closes the socket: calls stop at once, the close event still ends the session.
    let closing: ConvoyError | null = null;
    const session = createWireSession({
      isOpen: () => closing === null && socket.readyState === OPEN,
      closedError: () => closing ?? new ConvoyError('INTERNAL', 'The connection to the Convoy server is closed'),
      send: (text) => socket.send(text),
    });

    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') session.receive(event.data);
    });

    socket.addEventListener('close', (event) => {
      // A browser hides the HTTP status of a refused handshake; a close before open is a refusal.
      const error = closing ?? (opened ? closeError(event.code, event.reason) : new ConvoyError('UNAUTHORIZED', REFUSED_MESSAGE));
      session.end(error);
      if (!opened) reject(error);
    });

    socket.addEventListener('open', () => {
      opened = true;
      resolve({
        invoke: (name, input) => session.call(name, input),
        onEvent: (listener) => session.onEvent(listener),
        onClose: (listener) => session.onClose(listener),
        close() {
          closing ??= new ConvoyError('INTERNAL', 'The connection to the Convoy server was closed by this page');
          socket.close(1000, 'page closed');
        },
      });
    });
  });
}
