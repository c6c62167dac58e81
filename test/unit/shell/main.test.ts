// The Electron shell (electron/main/index.ts → electron/shell/start-shell.ts) against a mocked `electron`
// module: Electron's binary cannot run here, and the shell must not need it to be checked.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ShellState } from '../../../electron/shell/start-shell.js';
import { stubHandlers } from '../../support/stub-handlers.js';
import { contentSecurityPolicy } from '../../../electron/shell/shell-config.js';

type Listener = (...args: unknown[]) => void;

class Emitter {
  listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener) {
    const wrapped: Listener = (...args) => {
      this.removeListener(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }
  removeListener(event: string, listener: Listener) {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== listener));
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

const fake = vi.hoisted(() => ({
  state: {} as Record<string, unknown>,
}));

function preventable() {
  return { preventDefault: vi.fn() };
}

class FakeWebContents extends Emitter {
  id = 3;
  sent: unknown[][] = [];
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  isDestroyed() {
    return false;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.openHandler = handler;
  }
}

class FakeWindow extends Emitter {
  static created: FakeWindow[] = [];
  static getAllWindows = () => FakeWindow.created.filter((w) => !w.closed);
  webContents = new FakeWebContents();
  loaded: string[] = [];
  shown = false;
  closed = false;
  constructor(readonly options: { webPreferences: Record<string, unknown> } & Record<string, unknown>) {
    super();
    FakeWindow.created.push(this);
  }
  async loadURL(url: string) {
    this.loaded.push(url);
  }
  show() {
    this.shown = true;
  }
  focus() {}
  isMinimized() {
    return false;
  }
  restore() {}
  isDestroyed() {
    return this.closed;
  }
}

function makeElectron(userData: string) {
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    whenReady: vi.fn(async () => {}),
    getPath: vi.fn((name: string) => (name === 'userData' ? userData : '/nowhere')),
    requestSingleInstanceLock: vi.fn(() => true),
    quit: vi.fn(),
  });
  const handlers = new Map<string, Listener>();
  const ipcMain = {
    handlers,
    handle: vi.fn((channel: string, listener: Listener) => handlers.set(channel, listener)),
    removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
  };
  const dialog = { showErrorBox: vi.fn() };
  type PermissionRequest = (wc: unknown, permission: string, cb: (ok: boolean) => void) => void;
  type PermissionCheck = (wc: unknown, permission: string) => boolean;
  type HeadersListener = (details: unknown, cb: (response: unknown) => void) => void;
  const defaultSession = {
    permissionRequest: null as PermissionRequest | null,
    permissionCheck: null as PermissionCheck | null,
    headers: null as HeadersListener | null,
    setPermissionRequestHandler(handler: PermissionRequest | null) {
      defaultSession.permissionRequest = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheck | null) {
      defaultSession.permissionCheck = handler;
    },
    webRequest: {
      onHeadersReceived(listener: HeadersListener) {
        defaultSession.headers = listener;
      },
    },
  };
  FakeWindow.created = [];
  return { app, BrowserWindow: FakeWindow, ipcMain, dialog, session: { defaultSession } };
}

type FakeElectron = ReturnType<typeof makeElectron>;

vi.mock('electron', () => {
  // Getters, so each test's fresh fakes are what the shell sees after vi.resetModules().
  const current = () => fake.state.electron as FakeElectron;
  return {
    get app() {
      return current().app;
    },
    get BrowserWindow() {
      return current().BrowserWindow;
    },
    get ipcMain() {
      return current().ipcMain;
    },
    get dialog() {
      return current().dialog;
    },
    get session() {
      return current().session;
    },
  };
});

vi.mock('../../../electron/app.js', () => ({
  createApp: (options: { dataDir: string }) => (fake.state.createApp as (o: { dataDir: string }) => unknown)(options),
}));

async function fakeCoreApp(dataDir: string) {
  const { createDispatcher } = await import('../../../electron/core/dispatcher.js');
  const { createEventBus } = await import('../../../electron/core/events.js');
  const events = createEventBus();
  const handlers = stubHandlers({
    'app.info': (_input, ctx) => ({
      name: 'convoy',
      version: '0.0.0',
      dataDir,
      transport: ctx.transport,
      docker: { reachable: false, endpoint: 'x', version: null, error: 'no' },
      storeSchemaVersion: 1,
    }),
    'history.list': () => ({ runs: [] }),
    // Runs until cancelled, like a long Nx graph computation that honours its signal.
    'workspace.open': (_input, ctx) =>
      new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    'affected.compute': () => new Promise(() => {}),
  });
  const dispatcher = createDispatcher({ handlers, events, newId: () => 'job-1' });
  return { dispatcher, events, close: vi.fn(async () => {}) };
}

const USER_DATA = path.resolve('/tmp/convoy-shell-test/userData');
let electron: FakeElectron;
const savedEnv = { ...process.env };

async function startMain(): Promise<ShellState> {
  vi.resetModules();
  const mod = await import('../../../electron/main/index.js');
  return mod.shell;
}

beforeEach(async () => {
  delete process.env.CONVOY_HOME;
  delete process.env.VITE_DEV_SERVER_URL;
  electron = makeElectron(USER_DATA);
  fake.state.electron = electron;
  const core = await fakeCoreApp(USER_DATA);
  fake.state.core = core;
  fake.state.createApp = vi.fn(() => core);
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  process.env = { ...savedEnv };
  vi.restoreAllMocks();
});

describe('electron/main/index.ts', () => {
  it('opens the app on the userData folder and creates one hardened window', async () => {
    const state = await startMain();
    expect(state.status).toBe('running');
    expect(fake.state.createApp).toHaveBeenCalledWith({ dataDir: USER_DATA });
    expect(FakeWindow.created).toHaveLength(1);
    const prefs = FakeWindow.created[0]!.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(path.isAbsolute(prefs.preload as string)).toBe(true);
    expect(path.basename(prefs.preload as string)).toBe('preload.cjs');
  });

  it('loads the built renderer page by file URL and shows the window when ready', async () => {
    await startMain();
    const win = FakeWindow.created[0]!;
    expect(win.loaded).toHaveLength(1);
    expect(win.loaded[0]).toMatch(/^file:\/\/.*\/renderer\/index\.html$/);
    expect(win.shown).toBe(false);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('denies window.open and blocks navigation away from the app page', async () => {
    await startMain();
    const win = FakeWindow.created[0]!;
    expect(win.webContents.openHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    const away = preventable();
    win.webContents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const toFile = preventable();
    win.webContents.emit('will-navigate', toFile, 'file:///etc/passwd');
    expect(toFile.preventDefault).toHaveBeenCalled();
    const redirect = preventable();
    win.webContents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.preventDefault).toHaveBeenCalled();
    const same = preventable();
    win.webContents.emit('will-navigate', same, `${win.loaded[0]}#/history`);
    expect(same.preventDefault).not.toHaveBeenCalled();
  });

  it('denies popups and webviews for any other web contents too', async () => {
    await startMain();
    const other = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, other);
    expect(other.openHandler?.({ url: 'https://x.example' })).toEqual({ action: 'deny' });
    const attach = preventable();
    other.emit('will-attach-webview', attach);
    expect(attach.preventDefault).toHaveBeenCalled();
  });

  it('registers convoy:invoke, answering the app page over transport "ipc" and refusing others', async () => {
    await startMain();
    expect(electron.ipcMain.handle).toHaveBeenCalledWith('convoy:invoke', expect.any(Function));
    const handler = electron.ipcMain.handlers.get('convoy:invoke')!;
    const win = FakeWindow.created[0]!;
    const fromApp = { sender: { id: 3 }, senderFrame: { url: win.loaded[0] } };
    await expect(handler(fromApp, 'app.info', {})).resolves.toMatchObject({ ok: true, output: { transport: 'ipc' } });
    const fromEvil = { sender: { id: 3 }, senderFrame: { url: 'https://evil.example/' } };
    await expect(handler(fromEvil, 'app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('forwards core events to the window once it has loaded', async () => {
    const state = await startMain();
    if (state.status !== 'running') throw new Error('not running');
    const core = fake.state.core as Awaited<ReturnType<typeof fakeCoreApp>>;
    const win = FakeWindow.created[0]!;
    core.events.emit('workspace.opened', { root: '/w', projects: 1, cached: true });
    expect(win.webContents.sent).toEqual([]);
    win.webContents.emit('did-finish-load');
    expect(win.webContents.sent).toEqual([['convoy:event', 'workspace.opened', { root: '/w', projects: 1, cached: true }]]);
  });

  it('denies permission requests and sets the CSP header on the app page only', async () => {
    await startMain();
    const session = electron.session.defaultSession;
    const granted = vi.fn();
    session.permissionRequest?.({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(session.permissionCheck?.({}, 'notifications')).toBe(false);

    const win = FakeWindow.created[0]!;
    const respond = vi.fn();
    session.headers?.({ url: win.loaded[0], responseHeaders: { 'content-security-policy': ['default-src *'] } }, respond);
    expect(respond).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [contentSecurityPolicy(null)] } });
    const other = vi.fn();
    session.headers?.({ url: 'devtools://devtools/x', responseHeaders: { a: ['b'] } }, other);
    expect(other).toHaveBeenCalledWith({ responseHeaders: { a: ['b'] } });
  });

  it('shows an error box and quits when the store cannot open', async () => {
    const { StoreError } = await import('../../../electron/adapters/sqlite/sqlite-store.js');
    const storeError = new StoreError('STORE_LOCKED', 'database is locked by another process');
    fake.state.createApp = vi.fn(() => {
      throw storeError;
    });
    const state = await startMain();
    expect(state).toEqual({ status: 'failed', error: storeError });
    expect(electron.dialog.showErrorBox).toHaveBeenCalledTimes(1);
    const [title, content] = electron.dialog.showErrorBox.mock.calls[0] as [string, string];
    expect(title).toBe('Convoy cannot open its data');
    expect(content).toContain('database is locked');
    expect(content).toContain(USER_DATA);
    expect(content).toContain('[STORE_LOCKED]');
    expect(electron.app.quit).toHaveBeenCalled();
    expect(FakeWindow.created).toHaveLength(0);
    expect(electron.ipcMain.handle).not.toHaveBeenCalled();
  });

  it('quits when all windows close, except on macOS', async () => {
    await startMain();
    electron.app.emit('window-all-closed');
    if (process.platform === 'darwin') expect(electron.app.quit).not.toHaveBeenCalled();
    else expect(electron.app.quit).toHaveBeenCalledTimes(1);
  });

  it('on quit, holds the quit until the app has closed, then quits for real', async () => {
    await startMain();
    const core = fake.state.core as Awaited<ReturnType<typeof fakeCoreApp>>;
    let finishClose!: () => void;
    core.close.mockImplementation(() => new Promise<void>((resolve) => (finishClose = resolve)));
    const first = preventable();
    electron.app.emit('will-quit', first);
    expect(first.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(core.close).toHaveBeenCalledTimes(1));
    // The bridge is gone before the store closes.
    expect(electron.ipcMain.handlers.has('convoy:invoke')).toBe(false);
    const again = preventable();
    electron.app.emit('will-quit', again);
    expect(again.preventDefault).toHaveBeenCalled();
    expect(electron.app.quit).not.toHaveBeenCalled();
    finishClose();
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalledTimes(1));
    const last = preventable();
    electron.app.emit('will-quit', last);
    expect(last.preventDefault).not.toHaveBeenCalled();
    expect(core.close).toHaveBeenCalledTimes(1);
  });

  it('cancels running jobs before closing', async () => {
    await startMain();
    const core = fake.state.core as Awaited<ReturnType<typeof fakeCoreApp>>;
    const started = await core.dispatcher.dispatch('workspace.open', { dir: '/w' }, { transport: 'ipc' });
    expect(started).toEqual({ ok: true, output: { jobId: 'job-1' } });
    const finished = new Promise((resolve) => core.events.subscribe((name, payload) => name === 'job.finished' && resolve(payload)));
    electron.app.emit('will-quit', preventable());
    await expect(finished).resolves.toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled());
  });

  it('gives up waiting for close after the timeout and quits anyway', async () => {
    const { startShell } = await import('../../../electron/shell/start-shell.js');
    const core = fake.state.core as Awaited<ReturnType<typeof fakeCoreApp>>;
    core.close.mockImplementation(() => new Promise<void>(() => {}));
    const log = vi.fn();
    await startShell(electron as never, {
      createApp: () => core,
      resolveDataDir: () => USER_DATA,
      mainDir: path.resolve('/app/dist/electron'),
      closeTimeoutMs: 20,
      log,
    });
    electron.app.emit('will-quit', preventable());
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalledTimes(1));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('did not stop in time'));
  });

  it('a second instance quits at once', async () => {
    electron.app.requestSingleInstanceLock.mockReturnValue(false);
    const state = await startMain();
    expect(state).toEqual({ status: 'second-instance' });
    expect(electron.app.quit).toHaveBeenCalled();
    expect(fake.state.createApp).not.toHaveBeenCalled();
  });

  it('loads VITE_DEV_SERVER_URL when it is a local dev server, and trusts that origin', async () => {
    process.env.VITE_DEV_SERVER_URL = 'http://localhost:5173/';
    await startMain();
    const win = FakeWindow.created[0]!;
    expect(win.loaded).toEqual(['http://localhost:5173/']);
    const handler = electron.ipcMain.handlers.get('convoy:invoke')!;
    await expect(handler({ senderFrame: { url: 'http://localhost:5173/' } }, 'history.list', {})).resolves.toMatchObject({ ok: true });
    await expect(handler({ senderFrame: { url: 'http://localhost:5174/' } }, 'history.list', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
  });

  it('ignores a VITE_DEV_SERVER_URL that is not on this machine', async () => {
    process.env.VITE_DEV_SERVER_URL = 'https://evil.example/';
    await startMain();
    expect(FakeWindow.created[0]!.loaded[0]).toMatch(/^file:/);
  });
});
