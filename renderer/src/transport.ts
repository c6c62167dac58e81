// Picks how the console reaches the core: Electron IPC when the preload exposed `window.convoy`,
// otherwise the WebSocket of `convoy serve` on the page's own host, with the token from the address.
import type { Channel } from '../../shared/channel.js';
import type { CallResult } from '../../shared/contract.js';
import { ConvoyError } from '../../shared/errors.js';
import { type WebSocketFactory, connectBrowserWebSocket } from './ws-channel.js';

/** What the Electron preload exposes on `window.convoy`. */
export interface ConvoyPreload {
  invoke(name: string, input: unknown): Promise<CallResult<unknown>>;
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    convoy?: ConvoyPreload;
  }
}

export type TransportKind = 'ipc' | 'websocket';

export interface Connection {
  kind: TransportKind;
  channel: Channel;
  /** Registers a listener for the end of the connection; returns the unsubscribe function. */
  onClose(listener: (error: Error) => void): () => void;
  close(): void;
}

export const MISSING_TOKEN_MESSAGE =
  'This page has no access token in its address. Open the full URL printed by `convoy serve` ' +
  '(it ends in ?token=…); the console refuses to connect without it.';

interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

export function tokenFromSearch(search: string): string | null {
  const token = new URLSearchParams(search).get('token');
  return token && token.length > 0 ? token : null;
}

/** ws://HOST/ws?token=TOKEN for the page's own host; throws UNAUTHORIZED when the address has no token. */
export function webSocketUrl(location: PageLocation): string {
  const token = tokenFromSearch(location.search);
  if (!token) throw new ConvoyError('UNAUTHORIZED', MISSING_TOKEN_MESSAGE);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

function isPreload(value: unknown): value is ConvoyPreload {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as ConvoyPreload).invoke === 'function' &&
    typeof (value as ConvoyPreload).onEvent === 'function'
  );
}

export interface TransportEnvironment {
  convoy?: unknown;
  location: PageLocation;
}

export async function connectTransport(
  env: TransportEnvironment = window,
  factory?: WebSocketFactory,
): Promise<Connection> {
  if (isPreload(env.convoy)) {
    const preload = env.convoy;
    return {
      kind: 'ipc',
      channel: {
        invoke: (name, input) => preload.invoke(name, input),
        onEvent: (listener) => preload.onEvent(listener),
      },
      onClose: () => () => {},
      close: () => {},
    };
  }
  const channel = await connectBrowserWebSocket(webSocketUrl(env.location), factory);
  return { kind: 'websocket', channel, onClose: (listener) => channel.onClose(listener), close: () => channel.close() };
}
