// The Electron shell's wiring, written against the few Electron objects it uses (passed in), so
// that electron/main/index.ts stays a two-line entry point and all of this runs under test.
import type { Dispatcher } from '../core/dispatcher.js';
import type { EventBus } from '../core/events.js';
import { type DetachBridge, type IpcMainLike, type WebContentsLike, attachMainBridge } from '../transports/ipc/main-bridge.js';
import {
  type ShellPaths,
  type ShellWindowOptions,
  appPage,
  contentSecurityPolicy,
  describeStartupError,
  resolveShellPaths,
  windowOptions,
  withCspHeader,
} from './shell-config.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- Electron's listeners take event-specific arguments. */
type Listener = (...args: any[]) => void;

export interface ShellWebContents extends WebContentsLike {
  on(event: string, listener: Listener): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface ShellWindow {
  webContents: ShellWebContents;
  loadURL(url: string): Promise<void>;
  once(event: string, listener: Listener): unknown;
  on(event: string, listener: Listener): unknown;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
}

export interface ShellSession {
  setPermissionRequestHandler(handler: ((webContents: any, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: any, permission: string) => boolean) | null): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string | string[]> },
        callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
      ) => void,
    ): void;
  };
}

/** The parts of the `electron` module the shell uses. */
export interface ShellElectron {
  app: {
    whenReady(): Promise<unknown>;
    getPath(name: 'userData'): string;
    isPackaged: boolean;
    requestSingleInstanceLock(): boolean;
    on(event: string, listener: Listener): unknown;
    quit(): void;
  };
  BrowserWindow: {
    new (options: ShellWindowOptions): ShellWindow;
    getAllWindows(): unknown[];
  };
  ipcMain: IpcMainLike;
  dialog: { showErrorBox(title: string, content: string): void };
  session: { defaultSession: ShellSession };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** What the shell needs of the composition root (electron/app.ts's App). */
export interface ShellApp {
  dispatcher: Pick<Dispatcher, 'dispatch' | 'running'>;
  events: Pick<EventBus, 'subscribe'>;
  close(): Promise<void>;
}

export interface ShellDeps {
  createApp(options: { dataDir: string }): ShellApp;
  resolveDataDir(sources: { electronUserData?: string }): string;
  /** Folder of the running main bundle; the preload and renderer are found from it. */
  mainDir: string;
  env?: Record<string, string | undefined>;
  platform?: string;
  /** How long quitting waits for running jobs to wind down before it gives up on them. */
  closeTimeoutMs?: number;
  log?: (message: string) => void;
}

export type ShellState =
  | { status: 'running'; app: ShellApp; paths: ShellPaths; window(): ShellWindow | null }
  | { status: 'failed'; error: unknown }
  | { status: 'second-instance' };

export async function startShell(electron: ShellElectron, deps: ShellDeps): Promise<ShellState> {
  const { app, BrowserWindow, ipcMain, dialog, session } = electron;
  const platform = deps.platform ?? process.platform;
  const log = deps.log ?? ((message: string) => console.error(`[convoy] ${message}`));

  // Two instances would fight over the store; the second one hands focus to the first instead.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { status: 'second-instance' };
  }

  const paths = resolveShellPaths({ mainDir: deps.mainDir, env: deps.env ?? process.env, isPackaged: app.isPackaged });
  if (paths.devServerIgnored) log(paths.devServerIgnored);
  const page = appPage(paths, platform);

  let convoy: ShellApp | null = null;
  let window: ShellWindow | null = null;
  let detachBridge: DetachBridge | null = null;
  let closing = false;
  let closed = false;

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  // Whatever else gets a WebContents (devtools, a stray popup) may not open windows or embed webviews.
  app.on('web-contents-created', (_event: unknown, contents: ShellWebContents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event: { preventDefault(): void }) => event.preventDefault());
  });

  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (convoy && BrowserWindow.getAllWindows().length === 0) createWindow(convoy);
  });

  app.on('will-quit', (event: { preventDefault(): void }) => {
    if (!convoy || closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    void shutdown(convoy).finally(() => {
      closed = true;
      app.quit();
    });
  });

  async function shutdown(target: ShellApp): Promise<void> {
    detachBridge?.();
    detachBridge = null;
    // Running jobs are cancelled so that close() (which waits for them) returns promptly.
    for (const jobId of target.dispatcher.running()) {
      await target.dispatcher.dispatch('job.cancel', { jobId }, { transport: 'ipc' });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log('jobs did not stop in time; quitting without waiting for them');
        resolve();
      }, deps.closeTimeoutMs ?? 5000);
    });
    try {
      await Promise.race([target.close(), timeout]);
    } catch (err) {
      log(`closing failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  function createWindow(target: ShellApp): ShellWindow {
    const win = new BrowserWindow(windowOptions(paths.preload));
    const contents = win.webContents;
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    const stayOnPage = (event: { preventDefault(): void }, url: string) => {
      if (!page.isAppPage(url)) {
        event.preventDefault();
        log(`blocked navigation away from the app to ${url}`);
      }
    };
    contents.on('will-navigate', stayOnPage);
    contents.on('will-redirect', stayOnPage);

    detachBridge?.();
    const detach = attachMainBridge({
      ipcMain,
      dispatcher: target.dispatcher,
      events: target.events,
      window: win,
      isTrustedSender: page.isAppPage,
    });
    detachBridge = detach;
    win.on('closed', () => {
      detach();
      if (detachBridge === detach) detachBridge = null;
      if (window === win) window = null;
    });
    win.once('ready-to-show', () => win.show());
    win.loadURL(page.url).catch((err: unknown) => {
      log(`could not load ${page.url}: ${err instanceof Error ? err.message : String(err)}`);
    });
    window = win;
    return win;
  }

  await app.whenReady();

  let dataDir: string | null = null;
  try {
    dataDir = deps.resolveDataDir({ electronUserData: app.getPath('userData') });
    convoy = deps.createApp({ dataDir });
  } catch (error) {
    const { title, content } = describeStartupError(error, dataDir);
    log(`${title}: ${content}`);
    dialog.showErrorBox(title, content);
    app.quit();
    return { status: 'failed', error };
  }

  const defaultSession = session.defaultSession;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  const csp = contentSecurityPolicy(paths.devServerUrl);
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    // Only the app's own documents get it; anything else (devtools, say) keeps its own headers.
    callback({ responseHeaders: page.isAppPage(details.url) ? withCspHeader(details.responseHeaders, csp) : details.responseHeaders });
  });

  createWindow(convoy);
  return { status: 'running', app: convoy, paths, window: () => window };
}
