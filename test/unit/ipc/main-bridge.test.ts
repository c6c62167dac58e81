import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../../../shared/contract.js';
import { createDispatcher } from '../../../electron/core/dispatcher.js';
import { createEventBus } from '../../../electron/core/events.js';
import { stubHandlers } from '../../support/stub-handlers.js';
import {
  EVENT_CHANNEL,
  INVOKE_CHANNEL,
  type InvokeEventLike,
  attachMainBridge,
  makeSenderCheck,
} from '../../../electron/transports/ipc/main-bridge.js';

const INDEX = '/opt/Convoy/resources/app.asar/dist/renderer/index.html';
const FILE_URL = pathToFileURL(INDEX).href;

describe('makeSenderCheck', () => {
  const fileCheck = makeSenderCheck({ fileUrl: FILE_URL });
  const devCheck = makeSenderCheck({ devOrigin: 'http://localhost:5173' });

  it("accepts the app's own file page, with or without query and hash", () => {
    expect(fileCheck(FILE_URL)).toBe(true);
    expect(fileCheck(`${FILE_URL}#/history`)).toBe(true);
    expect(fileCheck(`${FILE_URL}?tab=affected`)).toBe(true);
    // The parser normalises dot segments, so this is the same file.
    expect(fileCheck('file:///opt/Convoy/resources/app.asar/dist/other/../renderer/index.html')).toBe(true);
  });

  it('rejects other files and lookalike paths', () => {
    for (const url of [
      'file:///etc/passwd',
      'file:///opt/Convoy/resources/app.asar/dist/renderer/index.html.evil',
      'file:///opt/Convoy/resources/app.asar/dist/renderer/index.htm',
      'file:///opt/Convoy/resources/app.asar/dist/renderer/evil.html',
      'file:///opt/Convoy/resources/app.asar/dist/renderer/index.html/evil.html',
      'file:///tmp/opt/Convoy/resources/app.asar/dist/renderer/index.html',
      'file:///opt/Convoy/resources/app.asar/dist/renderer/index.html/../../../../../../etc/passwd',
      'file://evil.example/opt/Convoy/resources/app.asar/dist/renderer/index.html',
      'FILE:///opt/Convoy/resources/app.asar/dist/renderer/INDEX.HTML',
    ]) {
      expect(fileCheck(url), url).toBe(false);
    }
  });

  it('rejects other schemes, hosts and garbage', () => {
    for (const url of [
      'https://evil.example',
      'https://evil.example/opt/Convoy/resources/app.asar/dist/renderer/index.html',
      'http://localhost:5173/',
      'about:blank',
      'data:text/html,<script>1</script>',
      'javascript:alert(1)',
      'devtools://devtools/bundled/inspector.html',
      '',
      'not a url',
    ]) {
      expect(fileCheck(url), url).toBe(false);
    }
  });

  it('accepts the dev server origin on any path and nothing else', () => {
    expect(devCheck('http://localhost:5173/')).toBe(true);
    expect(devCheck('http://localhost:5173/index.html#/x')).toBe(true);
    expect(devCheck('HTTP://LOCALHOST:5173/')).toBe(true);
    for (const url of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://localhost/',
      'http://127.0.0.1:5173/',
      'http://localhost.evil.example:5173/',
      'http://localhost:5173@evil.example/',
      'http://user:pw@localhost:5173/',
      'ws://localhost:5173/',
      'https://evil.example',
      FILE_URL,
    ]) {
      expect(devCheck(url), url).toBe(false);
    }
  });

  it('trusts nothing when configured with nothing, and refuses bad configuration', () => {
    const none = makeSenderCheck({});
    expect(none(FILE_URL)).toBe(false);
    expect(none('http://localhost:5173/')).toBe(false);
    expect(() => makeSenderCheck({ fileUrl: 'https://example.com/index.html' })).toThrow(/file: URL/);
    expect(() => makeSenderCheck({ devOrigin: 'file:///x' })).toThrow(/http/);
  });

  it('compares paths case-insensitively only when asked (Windows)', () => {
    const win = makeSenderCheck({ fileUrl: 'file:///C:/Program%20Files/Convoy/dist/renderer/index.html', ignorePathCase: true });
    expect(win('file:///c:/program%20files/convoy/dist/renderer/index.html')).toBe(true);
    expect(win('file:///C:/Program%20Files/Convoy/dist/renderer/index.html.evil')).toBe(false);
  });
});

// ---- attachMainBridge with fake ipcMain / webContents ----

type Listener = (...args: unknown[]) => void;

function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  return {
    handlers,
    handle: vi.fn((channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    }),
    removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
    async invoke(event: InvokeEventLike, ...args: unknown[]) {
      const handler = handlers.get(INVOKE_CHANNEL);
      if (!handler) throw new Error('no handler');
      return (await handler(event, ...args)) as CallResult<unknown>;
    },
  };
}

function fakeWebContents() {
  const listeners = new Map<string, Set<Listener>>();
  const sent: Array<[string, ...unknown[]]> = [];
  let destroyed = false;
  return {
    id: 7,
    sent,
    send: vi.fn((channel: string, ...args: unknown[]) => {
      if (destroyed) throw new Error('Object has been destroyed');
      sent.push([channel, ...args]);
    }),
    isDestroyed: () => destroyed,
    on(event: string, listener: Listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
    },
    removeListener(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
    },
    emit(event: string, ...args: unknown[]) {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(...args);
    },
    destroy() {
      destroyed = true;
      this.emit('destroyed');
    },
    listenerCount: (event: string) => listeners.get(event)?.size ?? 0,
  };
}

function setup(options: { maxQueuedEvents?: number; alreadyLoaded?: boolean } = {}) {
  const events = createEventBus();
  const handlers = stubHandlers({
    'app.info': (_input, ctx) => ({
      name: 'convoy',
      version: '0.0.0-test',
      dataDir: '/tmp/x',
      transport: ctx.transport,
      docker: { reachable: false, endpoint: 'unix:///nope', version: null, error: 'no' },
      storeSchemaVersion: 1,
    }),
    'history.list': () => ({ runs: [] }),
  });
  const dispatcher = createDispatcher({ handlers, events, newId: () => 'job-1' });
  const ipcMain = fakeIpcMain();
  const webContents = fakeWebContents();
  const isTrustedSender = makeSenderCheck({ fileUrl: FILE_URL });
  const detach = attachMainBridge({ ipcMain, dispatcher, events, window: { webContents }, isTrustedSender, ...options });
  const fromApp: InvokeEventLike = { senderFrame: { url: FILE_URL }, sender: { id: 7 } };
  return { events, ipcMain, webContents, detach, fromApp };
}

const progress = (n: number) => ({ jobId: 'j', command: 'workspace.open', message: `step ${n}`, fraction: null });

describe('attachMainBridge: commands', () => {
  it('registers convoy:invoke and dispatches with transport "ipc"', async () => {
    const { ipcMain, fromApp } = setup();
    expect(ipcMain.handle).toHaveBeenCalledWith(INVOKE_CHANNEL, expect.any(Function));
    const result = await ipcMain.invoke(fromApp, 'app.info', {});
    expect(result).toMatchObject({ ok: true, output: { transport: 'ipc' } });
  });

  it('answers UNAUTHORIZED to other pages, frames and windows, without dispatching', async () => {
    const { ipcMain, detach } = setup();
    const bad: InvokeEventLike[] = [
      { senderFrame: { url: 'file:///etc/passwd' }, sender: { id: 7 } },
      { senderFrame: { url: 'https://evil.example/' }, sender: { id: 7 } },
      { senderFrame: null, sender: { id: 7 } },
      {},
      { senderFrame: { url: FILE_URL }, sender: { id: 8 } },
    ];
    for (const event of bad) {
      const result = await ipcMain.invoke(event, 'history.list', {});
      expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    }
    expect(detach.stats().refused).toBe(bad.length);
  });

  it('passes dispatcher errors through as results', async () => {
    const { ipcMain, fromApp } = setup();
    expect(await ipcMain.invoke(fromApp, 'nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(await ipcMain.invoke(fromApp, 'history.list', { limit: -1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('detach removes the handler and stops forwarding', async () => {
    const { ipcMain, webContents, events, detach } = setup({ alreadyLoaded: true });
    detach();
    detach();
    expect(ipcMain.removeHandler).toHaveBeenCalledTimes(1);
    expect(ipcMain.handlers.has(INVOKE_CHANNEL)).toBe(false);
    events.emit('job.progress', progress(1));
    expect(webContents.sent).toEqual([]);
    expect(webContents.listenerCount('did-finish-load')).toBe(0);
  });
});

describe('attachMainBridge: events', () => {
  it('queues events until did-finish-load, then flushes them in order', () => {
    const { events, webContents, detach } = setup();
    events.emit('job.progress', progress(1));
    events.emit('job.progress', progress(2));
    events.emit('workspace.opened', { root: '/w', projects: 3, cached: false });
    expect(webContents.sent).toEqual([]);
    expect(detach.stats().queued).toBe(3);

    webContents.emit('did-finish-load');
    expect(webContents.sent).toEqual([
      [EVENT_CHANNEL, 'job.progress', progress(1)],
      [EVENT_CHANNEL, 'job.progress', progress(2)],
      [EVENT_CHANNEL, 'workspace.opened', { root: '/w', projects: 3, cached: false }],
    ]);
    // After loading, events go straight through, still in order.
    events.emit('job.progress', progress(3));
    expect(webContents.sent.at(-1)).toEqual([EVENT_CHANNEL, 'job.progress', progress(3)]);
    expect(detach.stats()).toMatchObject({ queued: 0, sent: 4, dropped: 0 });
  });

  it('holds events again while the page reloads', () => {
    const { events, webContents } = setup();
    webContents.emit('did-finish-load');
    events.emit('job.progress', progress(1));
    webContents.emit('did-start-loading');
    events.emit('job.progress', progress(2));
    expect(webContents.sent).toHaveLength(1);
    webContents.emit('did-finish-load');
    expect(webContents.sent.map((entry) => (entry[2] as { message: string }).message)).toEqual(['step 1', 'step 2']);
    // A subframe load has no did-finish-load of its own; did-stop-loading releases the events.
    webContents.emit('did-start-loading');
    events.emit('job.progress', progress(3));
    expect(webContents.sent).toHaveLength(2);
    webContents.emit('did-stop-loading');
    expect(webContents.sent).toHaveLength(3);
  });

  it('bounds the queue, dropping the oldest and counting them', () => {
    const { events, webContents, detach } = setup({ maxQueuedEvents: 5 });
    for (let i = 1; i <= 12; i += 1) events.emit('job.progress', progress(i));
    expect(detach.stats()).toMatchObject({ queued: 5, dropped: 7 });
    webContents.emit('did-finish-load');
    expect(webContents.sent.map((entry) => (entry[2] as { message: string }).message)).toEqual([
      'step 8',
      'step 9',
      'step 10',
      'step 11',
      'step 12',
    ]);
  });

  it('bounds the queue at 1000 by default', () => {
    const { events, detach } = setup();
    for (let i = 0; i < 1500; i += 1) events.emit('job.progress', progress(i));
    expect(detach.stats()).toMatchObject({ queued: 1000, dropped: 500 });
  });

  it('drops events, queued and new, once the window is destroyed', () => {
    const { events, webContents, detach } = setup();
    events.emit('job.progress', progress(1));
    events.emit('job.progress', progress(2));
    webContents.destroy();
    events.emit('job.progress', progress(3));
    webContents.emit('did-finish-load');
    expect(webContents.send).not.toHaveBeenCalled();
    expect(detach.stats()).toMatchObject({ queued: 0, dropped: 3, sent: 0 });
  });

  it('survives a send that throws', () => {
    const { events, webContents, detach } = setup({ alreadyLoaded: true });
    webContents.send.mockImplementationOnce(() => {
      throw new Error('An object could not be cloned');
    });
    events.emit('job.progress', progress(1));
    events.emit('job.progress', progress(2));
    expect(webContents.sent).toEqual([[EVENT_CHANNEL, 'job.progress', progress(2)]]);
    expect(detach.stats()).toMatchObject({ dropped: 1, sent: 1 });
  });
});
