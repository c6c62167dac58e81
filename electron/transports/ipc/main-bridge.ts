// The main-process end of the IPC transport: answers `convoy:invoke` from the app's own page only,
// and forwards every core event to the window, holding them until the page has loaded.
// No Electron import: it takes objects shaped like ipcMain and webContents, so tests can drive it.
import type { CallResult } from '../../../shared/contract.js';
import type { Dispatcher } from '../../core/dispatcher.js';
import type { EventBus } from '../../core/events.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './preload-api.js';

export { EVENT_CHANNEL, INVOKE_CHANNEL };

/** What ipcMain.handle hands a listener, as far as the bridge reads it. */
export interface InvokeEventLike {
  senderFrame?: { url?: string } | null;
  sender?: { id?: number } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  id?: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed?(): boolean;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  once?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface MainBridgeOptions {
  ipcMain: IpcMainLike;
  dispatcher: Pick<Dispatcher, 'dispatch'>;
  events: Pick<EventBus, 'subscribe'>;
  window: { webContents: WebContentsLike };
  /** Whether a frame URL is the app's own page; see makeSenderCheck. */
  isTrustedSender(frameUrl: string): boolean;
  /** Events kept while the page loads; the oldest go first past this. Default 1000. */
  maxQueuedEvents?: number;
  /** Set when the window has already finished loading, so events flow at once. */
  alreadyLoaded?: boolean;
}

export interface BridgeStats {
  /** Events waiting for the page to finish loading. */
  queued: number;
  /** Events dropped: queue overflow, a destroyed window, or a failed send. */
  dropped: number;
  /** Events delivered to the window. */
  sent: number;
  /** Invocations refused because they did not come from the app's page. */
  refused: number;
}

/** Detaches the bridge; `stats()` reads its counters. */
export interface DetachBridge {
  (): void;
  stats(): BridgeStats;
}

export const DEFAULT_MAX_QUEUED_EVENTS = 1000;

function parseUrl(text: string | undefined): URL | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

export interface SenderCheckOptions {
  /** `file:` URL of the bundled index.html (pathToFileURL of its path). */
  fileUrl?: string | undefined;
  /** Origin of the dev server, e.g. `http://localhost:5173`. */
  devOrigin?: string | undefined;
  /** Compare file paths case-insensitively (Windows). */
  ignorePathCase?: boolean;
}

/**
 * Builds the predicate that tells whether a frame URL is the app's own page. Both sides go through
 * the WHATWG URL parser, so `..` segments, `user@host` tricks and case in scheme and host are
 * normalised before comparing; query and fragment are ignored (the router may use them).
 * - a `file:` sender must have the same host (none) and exactly the same path as `fileUrl`;
 * - an http(s) sender must have exactly the origin (scheme, host, port) of `devOrigin`.
 */
export function makeSenderCheck(options: SenderCheckOptions): (frameUrl: string) => boolean {
  const file = parseUrl(options.fileUrl);
  if (options.fileUrl !== undefined && (!file || file.protocol !== 'file:')) {
    throw new Error(`makeSenderCheck: fileUrl must be a file: URL, got ${JSON.stringify(options.fileUrl)}`);
  }
  const dev = parseUrl(options.devOrigin);
  if (options.devOrigin !== undefined && (!dev || (dev.protocol !== 'http:' && dev.protocol !== 'https:'))) {
    throw new Error(`makeSenderCheck: devOrigin must be an http(s) origin, got ${JSON.stringify(options.devOrigin)}`);
  }
  const samePath = options.ignorePathCase
    ? (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
    : (a: string, b: string) => a === b;

  return (frameUrl) => {
    const url = parseUrl(frameUrl);
    if (!url) return false;
    if (url.username !== '' || url.password !== '') return false;
    if (file && url.protocol === 'file:') {
      return url.host === file.host && samePath(url.pathname, file.pathname);
    }
    if (dev && (url.protocol === 'http:' || url.protocol === 'https:')) {
      return url.protocol === dev.protocol && url.host === dev.host;
    }
    return false;
  };
}

function unauthorized(): CallResult<unknown> {
  return { ok: false, error: { code: 'UNAUTHORIZED', message: 'Convoy commands are only accepted from the Convoy window' } };
}

export function attachMainBridge(options: MainBridgeOptions): DetachBridge {
  const { ipcMain, dispatcher, events, window } = options;
  const webContents = window.webContents;
  const maxQueued = Math.max(1, options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS);
  const stats: Omit<BridgeStats, 'queued'> = { dropped: 0, sent: 0, refused: 0 };
  const queue: Array<[string, unknown]> = [];
  let loaded = options.alreadyLoaded ?? false;
  let attached = true;
  let gone = false;

  const destroyed = () => {
    if (gone) return true;
    try {
      return webContents.isDestroyed?.() ?? false;
    } catch {
      return true;
    }
  };

  function trusted(event: InvokeEventLike): boolean {
    // A message from another WebContents (another window, a devtools extension page) is refused.
    const senderId = event?.sender?.id;
    if (typeof senderId === 'number' && typeof webContents.id === 'number' && senderId !== webContents.id) return false;
    const url = event?.senderFrame?.url;
    return typeof url === 'string' && options.isTrustedSender(url);
  }

  ipcMain.handle(INVOKE_CHANNEL, async (event, name, input) => {
    if (!trusted(event)) {
      stats.refused += 1;
      return unauthorized();
    }
    try {
      return await dispatcher.dispatch(name, input, { transport: 'ipc' });
    } catch (err) {
      // The dispatcher answers errors itself; this only guards against a broken one.
      return { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
    }
  });

  function send(name: string, payload: unknown): void {
    if (destroyed()) {
      stats.dropped += 1;
      return;
    }
    try {
      webContents.send(EVENT_CHANNEL, name, payload);
      stats.sent += 1;
    } catch {
      stats.dropped += 1;
    }
  }

  function flush(): void {
    while (queue.length > 0 && attached) {
      const [name, payload] = queue.shift() as [string, unknown];
      send(name, payload);
    }
  }

  const unsubscribe = events.subscribe((name, payload) => {
    if (!attached) return;
    if (destroyed()) {
      stats.dropped += 1 + queue.length;
      queue.length = 0;
      return;
    }
    if (loaded) {
      send(name, payload);
      return;
    }
    queue.push([name, payload]);
    if (queue.length > maxQueued) {
      queue.shift();
      stats.dropped += 1;
    }
  });

  const onLoaded = () => {
    if (!attached) return;
    loaded = true;
    flush();
  };
  // A reload or navigation starts a new page: hold events again until it has loaded. Electron
  // reports did-start-loading for any frame but did-finish-load for the main frame only, so
  // did-stop-loading (always paired with the start) releases them too and nothing stays stuck.
  const onStartLoading = () => {
    loaded = false;
  };
  const onDestroyed = () => {
    gone = true;
    stats.dropped += queue.length;
    queue.length = 0;
  };
  if (webContents.on) {
    webContents.on('did-start-loading', onStartLoading);
    webContents.on('did-finish-load', onLoaded);
    webContents.on('did-stop-loading', onLoaded);
    webContents.on('destroyed', onDestroyed);
  } else if (webContents.once) {
    // Without `on` only the first load can be followed.
    webContents.once('did-finish-load', onLoaded);
    webContents.once('destroyed', onDestroyed);
  }

  const detach = (() => {
    if (!attached) return;
    attached = false;
    unsubscribe();
    ipcMain.removeHandler(INVOKE_CHANNEL);
    queue.length = 0;
    if (!destroyed()) {
      try {
        webContents.removeListener?.('did-start-loading', onStartLoading);
        webContents.removeListener?.('did-finish-load', onLoaded);
        webContents.removeListener?.('did-stop-loading', onLoaded);
        webContents.removeListener?.('destroyed', onDestroyed);
      } catch {
        // A window torn down in between has no listeners left to remove.
      }
    }
  }) as DetachBridge;
  detach.stats = () => ({ ...stats, queued: queue.length });
  return detach;
}
