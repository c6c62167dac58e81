// The contract over IPC, with a fake Electron in one process: main uses attachMainBridge on a fake
// ipcMain/webContents, the page uses createPreloadApi's object (what `window.convoy` is) as its
// Channel. Every value crossing goes through structuredClone, as Electron's IPC does, and arrives
// asynchronously.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { type IpcMainLike, type InvokeEventLike, attachMainBridge, makeSenderCheck } from '../../../electron/transports/ipc/main-bridge.js';
import { type IpcRendererLike, createPreloadApi } from '../../../electron/transports/ipc/preload-api.js';
import { createClient } from '../../../shared/client.js';
import { contractAppOptions, runContractSuite, tempDataDir } from './contract-suite.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** The app page as the bundled shell would load it. */
const PAGE_URL = pathToFileURL(path.resolve('/opt/convoy-fake/dist/renderer/index.html')).href;

/** Both ends of a fake Electron IPC for one window whose main frame shows `frameUrl`. */
function fakeElectronIpc(frameUrl: string) {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  const rendererListeners = new Map<string, Set<Listener>>();
  const contentsListeners = new Map<string, Set<(...args: unknown[]) => void>>();
  let destroyed = false;
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  const webContents = {
    id: 1,
    isDestroyed: () => destroyed,
    send(channel: string, ...args: unknown[]) {
      if (destroyed) throw new Error('Object has been destroyed');
      const cloned = structuredClone(args);
      setImmediate(() => {
        for (const listener of [...(rendererListeners.get(channel) ?? [])]) listener({ sender: ipcRenderer }, ...cloned);
      });
    },
    on(event: string, listener: (...args: unknown[]) => void) {
      const set = contentsListeners.get(event) ?? new Set();
      set.add(listener);
      contentsListeners.set(event, set);
    },
    removeListener(event: string, listener: (...args: unknown[]) => void) {
      contentsListeners.get(event)?.delete(listener);
    },
    emit(event: string) {
      for (const listener of [...(contentsListeners.get(event) ?? [])]) listener();
    },
    destroy() {
      destroyed = true;
      webContents.emit('destroyed');
    },
  };

  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };

  const ipcRenderer: IpcRendererLike = {
    async invoke(channel, ...args) {
      const cloned = structuredClone(args);
      await nextTurn();
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      const event: InvokeEventLike = { sender: { id: webContents.id }, senderFrame: { url: frameUrl } };
      const result = structuredClone(await handler(event, ...cloned));
      await nextTurn();
      return result;
    },
    on(channel, listener) {
      const set = rendererListeners.get(channel) ?? new Set();
      set.add(listener);
      rendererListeners.set(channel, set);
    },
    removeListener(channel, listener) {
      rendererListeners.get(channel)?.delete(listener);
    },
  };

  return { ipcMain, ipcRenderer, webContents, rendererListenerCount: (channel: string) => rendererListeners.get(channel)?.size ?? 0 };
}

async function connectOverIpc(frameUrl = PAGE_URL) {
  const dataDir = tempDataDir();
  const app = createApp(contractAppOptions(dataDir));
  const ipc = fakeElectronIpc(frameUrl);
  const detach = attachMainBridge({
    ipcMain: ipc.ipcMain,
    dispatcher: app.dispatcher,
    events: app.events,
    window: { webContents: ipc.webContents },
    isTrustedSender: makeSenderCheck({ fileUrl: PAGE_URL }),
  });
  ipc.webContents.emit('did-finish-load');
  const api = createPreloadApi(ipc.ipcRenderer);
  const client = createClient(api);
  return {
    app,
    ipc,
    api,
    detach,
    client,
    async close() {
      client.close();
      detach();
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

runContractSuite('contract over IPC (fake Electron bridge)', connectOverIpc, { expectedTransport: 'ipc' });

describe('IPC bridge specifics', () => {
  it('refuses every command from a page that is not the app', async () => {
    const connection = await connectOverIpc('https://evil.example/');
    try {
      await expect(connection.client.raw('history.list', {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'UNAUTHORIZED' },
      });
      await expect(connection.client.call('app.info', {})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    } finally {
      await connection.close();
    }
  });

  it('the page object has only invoke and onEvent, and unsubscribing removes the listener', async () => {
    const connection = await connectOverIpc();
    try {
      expect(Object.keys(connection.api).sort()).toEqual(['invoke', 'onEvent']);
      expect(Object.isFrozen(connection.api)).toBe(true);
      const off = connection.api.onEvent(() => {});
      expect(connection.ipc.rendererListenerCount('convoy:event')).toBe(2); // the client's and this one
      off();
      off();
      expect(connection.ipc.rendererListenerCount('convoy:event')).toBe(1);
    } finally {
      await connection.close();
    }
  });

  it('answers an INTERNAL result, not a rejection, when main has no handler', async () => {
    const connection = await connectOverIpc();
    try {
      connection.detach();
      await expect(connection.api.invoke('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    } finally {
      await connection.close();
    }
  });
});
