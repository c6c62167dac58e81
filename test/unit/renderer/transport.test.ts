// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import {
  MISSING_TOKEN_MESSAGE,
  TOKEN_STORAGE_KEY,
  addressWithoutToken,
  connectTransport,
  takeToken,
  tokenFromSearch,
  webSocketUrl,
} from '../../../renderer/src/client/transport.js';
import type { WebSocketFactory } from '../../../renderer/src/client/ws-channel.js';
import { REFUSED_MESSAGE, connectBrowserWebSocket } from '../../../renderer/src/client/ws-channel.js';
import { FakeSocket, INFO } from './fakes.js';

const location = { protocol: 'http:', host: '127.0.0.1:4321', search: '?token=abc_DEF-123' };

afterEach(() => {
  delete window.convoy;
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

/** A factory whose sockets open at once; `urls` lists what the page connected to. */
function openingFactory() {
  const urls: string[] = [];
  const factory: WebSocketFactory = (url) => {
    urls.push(url);
    const socket = new FakeSocket(url);
    queueMicrotask(() => socket.open());
    return socket;
  };
  return { urls, factory };
}

describe('transport', () => {
  it('picks IPC when the preload exposed window.convoy', async () => {
    const calls: unknown[] = [];
    window.convoy = {
      invoke: async (name, input) => {
        calls.push([name, input]);
        return { ok: true, output: INFO };
      },
      onEvent: () => () => {},
    };
    const connection = await connectTransport();
    expect(connection.kind).toBe('ipc');
    expect(await connection.channel.invoke('app.info', {})).toEqual({ ok: true, output: INFO });
    expect(calls).toEqual([['app.info', {}]]);
  });

  it('otherwise connects a WebSocket to /ws on the page host with the token', async () => {
    const sockets: FakeSocket[] = [];
    const pending = connectTransport({ location }, (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      queueMicrotask(() => socket.open());
      return socket;
    });
    const connection = await pending;
    expect(connection.kind).toBe('websocket');
    expect(sockets[0]?.url).toBe('ws://127.0.0.1:4321/ws?token=abc_DEF-123');
  });

  it('refuses clearly when the address has no token', async () => {
    await expect(connectTransport({ location: { ...location, search: '' } })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: MISSING_TOKEN_MESSAGE,
    });
    expect(tokenFromSearch('?token=')).toBeNull();
    expect(webSocketUrl({ protocol: 'https:', host: 'localhost:1', search: '?token=a%2Bb' })).toBe('wss://localhost:1/ws?token=a%2Bb');
  });
});

describe('the token in the address', () => {
  it('is removed from the address bar once read, keeping the rest of the address', async () => {
    window.history.replaceState({ kept: 1 }, '', '/?token=abc_DEF-123&view=graph#projects');
    const { urls, factory } = openingFactory();
    const connection = await connectTransport(window, factory);
    expect(connection.kind).toBe('websocket');
    expect(urls).toEqual([`ws://${window.location.host}/ws?token=abc_DEF-123`]);
    expect(window.location.search).toBe('?view=graph');
    expect(window.location.hash).toBe('#projects');
    expect(window.location.href).not.toContain('abc_DEF-123');
    expect(window.history.state).toEqual({ kept: 1 });
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('abc_DEF-123');
  });

  it('survives a reload of the tab through sessionStorage', async () => {
    window.history.replaceState(null, '', '/?token=first');
    await connectTransport(window, openingFactory().factory);
    expect(window.location.search).toBe('');
    // The reloaded page sees the address without the token.
    const { urls, factory } = openingFactory();
    await connectTransport(window, factory);
    expect(urls).toEqual([`ws://${window.location.host}/ws?token=first`]);
    // A new URL with a token in the same tab wins over the remembered one.
    window.history.replaceState(null, '', '/?token=second');
    const again = openingFactory();
    await connectTransport(window, again.factory);
    expect(again.urls).toEqual([`ws://${window.location.host}/ws?token=second`]);
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('second');
    expect(window.location.search).toBe('');
  });

  it('still connects when storage is unavailable, and leaves IPC pages alone', async () => {
    const replaced: unknown[] = [];
    const env = {
      location: { protocol: 'http:', host: '127.0.0.1:1', search: '?token=t', href: 'http://127.0.0.1:1/?token=t' },
      history: { state: null, replaceState: (...args: unknown[]) => replaced.push(args[2]) },
      sessionStorage: {
        getItem: () => {
          throw new Error('SecurityError');
        },
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
      },
    };
    expect(takeToken(env)).toBe('t');
    expect(replaced).toEqual(['/']);
    expect(takeToken({ ...env, location: { ...env.location, search: '', href: 'http://127.0.0.1:1/' } })).toBeNull();

    window.history.replaceState(null, '', '/?token=ipc-does-not-use-it');
    window.convoy = { invoke: async () => ({ ok: true, output: INFO }), onEvent: () => () => {} };
    expect((await connectTransport(window)).kind).toBe('ipc');
    expect(window.location.search).toBe('?token=ipc-does-not-use-it');
  });

  it('rewrites only the token parameter', () => {
    expect(addressWithoutToken('http://h:1/a/b?x=1&token=t&y=2#z')).toBe('/a/b?x=1&y=2#z');
    expect(addressWithoutToken('http://h:1/?token=t')).toBe('/');
  });
});

describe('browser WebSocket channel', () => {
  function connected() {
    let socket!: FakeSocket;
    const promise = connectBrowserWebSocket('ws://x/ws?token=t', (url) => (socket = new FakeSocket(url)));
    socket.open();
    return { socket, promise };
  }

  it('correlates results by id and forwards events', async () => {
    const { socket, promise } = connected();
    const channel = await promise;
    const events: unknown[] = [];
    channel.onEvent((name, payload) => events.push([name, payload]));
    const first = channel.invoke('app.info', {});
    const second = channel.invoke('history.list', { limit: 5 });
    const sent = socket.sent.map((text) => JSON.parse(text) as { id: number; name: string; type: string; input: unknown });
    expect(sent).toEqual([
      { type: 'call', id: 1, name: 'app.info', input: {} },
      { type: 'call', id: 2, name: 'history.list', input: { limit: 5 } },
    ]);
    socket.receive({ type: 'event', name: 'workspace.opened', payload: { root: '/r', projects: 1, cached: false } });
    socket.receive({ type: 'result', id: 2, result: { ok: true, output: { runs: [] } } });
    socket.receive({ type: 'result', id: 1, result: { ok: false, error: { code: 'INTERNAL', message: 'boom' } } });
    expect(await second).toEqual({ ok: true, output: { runs: [] } });
    expect(await first).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    expect(events).toEqual([['workspace.opened', { root: '/r', projects: 1, cached: false }]]);
  });

  it('rejects pending calls and notifies when the connection closes', async () => {
    const { socket, promise } = connected();
    const channel = await promise;
    const lost: string[] = [];
    channel.onClose((error) => lost.push(error.message));
    const call = channel.invoke('app.info', {});
    socket.serverClose(1001, 'Convoy server is shutting down');
    await expect(call).rejects.toThrow(/stopped/);
    expect(lost).toHaveLength(1);
    await expect(channel.invoke('app.info', {})).rejects.toThrow(/stopped/);
  });

  it('reports a refused handshake as UNAUTHORIZED with a clear message', async () => {
    let socket!: FakeSocket;
    const promise = connectBrowserWebSocket('ws://x/ws?token=wrong', (url) => (socket = new FakeSocket(url)));
    socket.serverClose(1006);
    await expect(promise).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: REFUSED_MESSAGE });
  });

  it('answers oversized input locally with MESSAGE_TOO_LARGE', async () => {
    const { socket, promise } = connected();
    const channel = await promise;
    const result = await channel.invoke('app.info', { pad: 'x'.repeat(1024 * 1024) });
    expect(result).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
    expect(socket.sent).toHaveLength(0);
  });
});
