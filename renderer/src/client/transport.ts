// Picks how the console reaches the core: Electron IPC when the preload exposed `window.convoy`,
// otherwise the WebSocket of `convoy serve` on the page's own host, with the token from the address.
// The token is then taken out of the address bar (history, screen shares, bookmarks) and kept in
// this tab's sessionStorage, so that a reload still connects.
import type { Channel } from '../../../shared/channel.js';
import type { CallResult } from '../../../shared/contract.js';
import { ConvoyError } from '../../../shared/errors.js';
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
  /** The full address; needed to rewrite it without the token. */
  href?: string;
}

/** The parts of `window.history` and `window.sessionStorage` the token handling uses. */
interface PageHistory {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string | null): void;
}
interface PageStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** sessionStorage key of the token: per tab, gone when the tab closes. */
export const TOKEN_STORAGE_KEY = 'convoy.token';

export function tokenFromSearch(search: string): string | null {
  const token = new URLSearchParams(search).get('token');
  return token && token.length > 0 ? token : null;
}

/** `href` without its `token` query parameter, as a path for history.replaceState. */
export function addressWithoutToken(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The token of this page: from the address (then removed from it and remembered for this tab),
 * else the one remembered by an earlier load of this tab, else null.
 */
export function takeToken(env: { location: PageLocation; history?: PageHistory; sessionStorage?: PageStorage }): string | null {
  const fromAddress = tokenFromSearch(env.location.search);
  if (!fromAddress) {
    try {
      const stored = env.sessionStorage?.getItem(TOKEN_STORAGE_KEY);
      return stored && stored.length > 0 ? stored : null;
    } catch {
      return null;
    }
  }
  try {
    env.sessionStorage?.setItem(TOKEN_STORAGE_KEY, fromAddress);
  } catch {
    // Storage refused (disabled, full): the page works; a reload will ask for the URL again.
  }
  if (env.history && env.location.href) {
    try {
      env.history.replaceState(env.history.state, '', addressWithoutToken(env.location.href));
    } catch {
      // Leave the address as it is rather than fail to connect.
    }
  }
  return fromAddress;
}

/** ws://HOST/ws?token=TOKEN for the page's own host; throws UNAUTHORIZED when there is no token. */
export function webSocketUrl(location: PageLocation, token: string | null = tokenFromSearch(location.search)): string {
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
  history?: PageHistory;
  sessionStorage?: PageStorage;
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
  const channel = await connectBrowserWebSocket(webSocketUrl(env.location, takeToken(env)), factory);
  return { kind: 'websocket', channel, onClose: (listener) => channel.onClose(listener), close: () => channel.close() };
}
