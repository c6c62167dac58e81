// The headless server on a real port: token, Host and Origin checks, static files, the wire protocol,
// oversized and malformed messages, backpressure and port conflicts.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createClient } from '../../../shared/client.js';
import { MAX_MESSAGE_BYTES } from '../../../shared/contract.js';
import { ConvoyError } from '../../../shared/errors.js';
import type { ServerMessage } from '../../../shared/channel.js';
import { type Handlers, createDispatcher } from '../../../electron/core/dispatcher.js';
import { type EventBus, createEventBus } from '../../../electron/core/events.js';
import { type RunningServer, startServer, tokenMatches } from '../../../electron/transports/ws/ws-server.js';
import { connectWebSocket } from '../../../electron/transports/ws/ws-channel-node.js';
import { stubHandlers } from '../../support/stub-handlers.js';

const DOCKER_DOWN = {
  reachable: false,
  endpoint: 'unix:///var/run/docker.sock',
  version: null,
  error: 'Docker Engine not reachable (test)',
};

function fakeHandlers(): Handlers {
  return stubHandlers({
    'app.info': (_input, ctx) => ({
      name: 'convoy' as const,
      version: '9.9.9-test',
      dataDir: '/tmp/convoy-test',
      transport: ctx.transport,
      docker: DOCKER_DOWN,
      storeSchemaVersion: 1,
    }),
    'history.list': () => ({ runs: [] }),
    'workspace.open': async (input, ctx) => {
      ctx.progress('reading the project graph', 0.5);
      return { root: input.dir, nxVersion: '0.0.0', nxSource: 'bundled' as const, projects: [], cycles: [], cached: false };
    },
    'affected.compute': async (input) => ({
      workspace: input.dir,
      base: input.base ?? null,
      head: input.head ?? null,
      uncommitted: input.uncommitted ?? false,
      touchedFiles: 0,
      projects: [],
      graphCached: false,
    }),
  });
}

let ids = 0;
function fakeApp(): { dispatcher: ReturnType<typeof createDispatcher>; events: EventBus } {
  const events = createEventBus();
  const dispatcher = createDispatcher({ handlers: fakeHandlers(), events, newId: () => `job-${++ids}` });
  return { dispatcher, events };
}

/** Sends an upgrade request and answers the HTTP status the server replied with (101 when it upgraded). */
function upgradeStatus(port: number, requestPath: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: requestPath,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        ...headers,
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, requestPath: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: requestPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw ws client that records every server message and the close code. */
function rawClient(url: string) {
  const ws = new WebSocket(url);
  const messages: ServerMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as ServerMessage);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  async function next(predicate: (m: ServerMessage) => boolean, deadlineMs = 5000): Promise<ServerMessage> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const found = messages.find(predicate);
      if (found) {
        messages.splice(messages.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline) throw new Error('no matching server message before the deadline');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  return { ws, opened, closed, next };
}

function wsUrl(server: RunningServer, token = server.token): string {
  return `ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`;
}

describe('tokenMatches', () => {
  it('accepts only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
  });
});

describe('ws-server', () => {
  let tmp: string;
  let staticDir: string;
  let server: RunningServer;
  let app: ReturnType<typeof fakeApp>;
  const extra: RunningServer[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'convoy-ws-'));
    staticDir = path.join(tmp, 'static');
    mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Convoy test</title>');
    writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("hi");');
    writeFileSync(path.join(staticDir, 'assets', 'app.css'), 'body{}');
    writeFileSync(path.join(tmp, 'secret.txt'), 'do not serve');
    app = fakeApp();
    server = await startServer({ app, port: 0, staticDir });
  });

  afterEach(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 with a random port and a 32-byte base64url token', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
  });

  it('refuses to bind any host but 127.0.0.1', async () => {
    await expect(startServer({ app, staticDir, host: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1 only/);
    await expect(startServer({ app, staticDir, host: 'localhost' })).rejects.toThrow(/refusing to listen/);
    await expect(startServer({ app, staticDir, host: '::' })).rejects.toThrow(/refusing to listen/);
  });

  it('is bound to 127.0.0.1 (IPv4) and nothing else', () => {
    expect(server.address()).toEqual({ address: '127.0.0.1', family: 'IPv4', port: server.port });
  });

  it('refuses every other listen host, loopback aliases included', async () => {
    for (const host of ['127.0.0.2', '127.1', '::1', '::ffff:127.0.0.1', '0', '', ' 127.0.0.1', '127.0.0.1 ', 'LOCALHOST']) {
      await expect(startServer({ app, staticDir, host }), JSON.stringify(host)).rejects.toThrow(/refusing to listen/);
    }
    // An explicit 127.0.0.1 is the default, and allowed.
    const explicit = await startServer({ app, staticDir, host: '127.0.0.1' });
    extra.push(explicit);
    expect(explicit.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
  });

  // 127.0.0.2 is loopback too (127.0.0.0/8 stays on this machine) but is not the bound address, so
  // the port is closed there. No address outside 127.0.0.0/8 is ever contacted by these tests.
  it('is not reachable on another loopback address (127.0.0.2)', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const socket = net.connect({ host: '127.0.0.2', port: server.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    });
    expect(error?.code).toBe('ECONNREFUSED');
  });

  it('rejects an upgrade without a token with HTTP 401', async () => {
    expect(await upgradeStatus(server.port, '/ws')).toBe(401);
    await expect(connectWebSocket(`ws://127.0.0.1:${server.port}/ws`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('rejects an upgrade with a wrong token with HTTP 401', async () => {
    const sameLength = server.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await upgradeStatus(server.port, `/ws?token=${sameLength}`)).toBe(401);
    expect(await upgradeStatus(server.port, '/ws?token=short')).toBe(401);
    await expect(connectWebSocket(wsUrl(server, sameLength))).rejects.toThrow(/401/);
  });

  it('upgrades with the right token and answers app.info over the node channel', async () => {
    expect(await upgradeStatus(server.port, `/ws?token=${server.token}`)).toBe(101);
    const channel = await connectWebSocket(server.url);
    try {
      const info = await createClient(channel).call('app.info', {});
      expect(info).toMatchObject({ name: 'convoy', version: '9.9.9-test', transport: 'websocket', docker: DOCKER_DOWN });
    } finally {
      channel.close();
    }
  });

  it('checks Origin when present', async () => {
    const own = `http://127.0.0.1:${server.port}`;
    expect(await upgradeStatus(server.port, `/ws?token=${server.token}`, { Origin: own })).toBe(101);
    expect(await upgradeStatus(server.port, `/ws?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(server.port, `/ws?token=${server.token}`, { Origin: `http://localhost:${server.port}` })).toBe(403);
    expect(
      await upgradeStatus(server.port, `/ws?token=${server.token}`, { Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` }),
    ).toBe(101);
  });

  it('answers 403 to a foreign Host header (DNS rebinding), for pages and upgrades', async () => {
    const page = await get(server.port, '/', { Host: `evil.example:${server.port}` });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain('Convoy test');
    expect(await upgradeStatus(server.port, `/ws?token=${server.token}`, { Host: `evil.example:${server.port}` })).toBe(403);
    expect((await get(server.port, '/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('serves index.html and assets with content types and security headers', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Convoy test');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain(`default-src 'self'; connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const js = await get(server.port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(server.port, '/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(server.port, '/assets/missing.js')).status).toBe(404);
    expect((await get(server.port, '/assets')).status).toBe(404);
  });

  it('never serves files outside the static folder', async () => {
    for (const attempt of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/../../secret.txt', '/../package.json', '/%00']) {
      const answer = await get(server.port, attempt);
      expect(answer.status, attempt).toBe(404);
      expect(answer.body).not.toContain('do not serve');
    }
  });

  it('answers / with a hint when the renderer is not built', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    const bare = await startServer({ app, staticDir: empty });
    extra.push(bare);
    const page = await get(bare.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Renderer not built — run');
    expect(page.body).toContain('npm run build:renderer');
  });

  it('answers malformed JSON with BAD_MESSAGE and keeps the socket open', async () => {
    const client = rawClient(wsUrl(server));
    await client.opened;
    client.ws.send('{not json');
    expect(await client.next((m) => m.type === 'error')).toEqual({
      type: 'error',
      error: { code: 'BAD_MESSAGE', message: 'message is not valid JSON' },
    });
    client.ws.send(JSON.stringify({ type: 'call', id: 1, name: 'app.info', input: {}, extra: true }));
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ error: { code: 'BAD_MESSAGE' } });
    client.ws.send(JSON.stringify({ type: 'call', id: 2, name: 'app.info', input: {} }));
    const result = await client.next((m) => m.type === 'result');
    expect(result).toMatchObject({ type: 'result', id: 2, result: { ok: true, output: { transport: 'websocket' } } });
    client.ws.close();
    await client.closed;
  });

  it('answers an unknown command with UNKNOWN_COMMAND', async () => {
    const channel = await connectWebSocket(server.url);
    try {
      const result = await channel.invoke('nope.nothing', {});
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
      const invalid = await channel.invoke('history.list', { limit: 'lots' });
      expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    } finally {
      channel.close();
    }
  });

  it('closes an oversized message with 1009 and keeps serving other clients', async () => {
    const bystander = await connectWebSocket(server.url);
    const client = rawClient(wsUrl(server));
    await client.opened;
    const huge = JSON.stringify({ type: 'call', id: 1, name: 'app.info', input: { pad: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    client.ws.send(huge);
    expect(await client.closed).toBe(1009);

    const fresh = await connectWebSocket(server.url);
    try {
      expect(await fresh.invoke('app.info', {})).toMatchObject({ ok: true });
      expect(await bystander.invoke('app.info', {})).toMatchObject({ ok: true });
    } finally {
      fresh.close();
      bystander.close();
    }
  });

  it('the node channel refuses oversized input locally', async () => {
    const channel = await connectWebSocket(server.url);
    try {
      const result = await channel.invoke('app.info', { pad: 'x'.repeat(MAX_MESSAGE_BYTES) });
      expect(result).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
      expect(await channel.invoke('app.info', {})).toMatchObject({ ok: true });
    } finally {
      channel.close();
    }
  });

  it('forwards events to every connected client and runs jobs end to end', async () => {
    const a = await connectWebSocket(server.url);
    const b = await connectWebSocket(server.url);
    try {
      const seen: string[] = [];
      b.onEvent((name) => seen.push(name));
      const progress: string[] = [];
      const graph = await createClient(a).run('workspace.open', { dir: '/repo' }, (p) => progress.push(p.message));
      expect(graph.root).toBe('/repo');
      expect(progress).toEqual(['reading the project graph']);
      // Events were emitted before a's job.finished; b got them on the same ordered socket sequence.
      const ping = await b.invoke('app.info', {});
      expect(ping.ok).toBe(true);
      expect(seen).toEqual(expect.arrayContaining(['job.progress', 'job.finished']));
    } finally {
      a.close();
      b.close();
    }
  });

  it('rejects pending calls when the connection closes', async () => {
    const events = createEventBus();
    let release: () => void = () => {};
    const slow = createDispatcher({
      events,
      newId: () => 'slow',
      handlers: { ...fakeHandlers(), 'history.list': () => new Promise((resolve) => (release = () => resolve({ runs: [] }))) },
    });
    const slowServer = await startServer({ app: { dispatcher: slow, events }, staticDir });
    extra.push(slowServer);
    const channel = await connectWebSocket(slowServer.url);
    const call = channel.invoke('history.list', {});
    await new Promise((resolve) => setImmediate(resolve));
    channel.close();
    await expect(call).rejects.toThrow(/closed/);
    release();
  });

  it('the node channel reports the end of the connection once, and at once to later listeners', async () => {
    const temp = await startServer({ app, staticDir });
    const channel = await connectWebSocket(temp.url);
    const seen: Array<{ code: string; message: string }> = [];
    channel.onClose((error) => seen.push({ code: error.code, message: error.message }));
    const off = channel.onClose(() => seen.push({ code: 'UNSUBSCRIBED', message: '' }));
    off();
    await temp.close();
    await channel.closed;
    expect(seen).toEqual([{ code: 'INTERNAL', message: expect.stringMatching(/shutting down/) }]);
    let late: string | null = null;
    channel.onClose((error) => (late = error.message));
    expect(late).toMatch(/shutting down/);
    await expect(channel.invoke('app.info', {})).rejects.toThrow(/shutting down/);
  });

  it('client.run rejects promptly when the server closes mid-job, and so do later calls', async () => {
    const events = createEventBus();
    const stuck = createDispatcher({
      events,
      newId: () => 'stuck-job',
      handlers: {
        ...fakeHandlers(),
        // Reports progress, then never finishes.
        'workspace.open': (_input, ctx) => {
          ctx.progress('working forever', null);
          return new Promise(() => {});
        },
      },
    });
    const stuckServer = await startServer({ app: { dispatcher: stuck, events }, staticDir });
    const channel = await connectWebSocket(stuckServer.url);
    const client = createClient(channel);
    // run() reports progress only once it knows the job id, i.e. when it waits for job.finished.
    let waiting: () => void = () => {};
    const jobWaiting = new Promise<void>((resolve) => (waiting = resolve));
    const run = client.run('workspace.open', { dir: '/repo' }, () => waiting());
    run.catch(() => {});
    await jobWaiting;
    await stuckServer.close();
    await expect(run).rejects.toBeInstanceOf(ConvoyError);
    await expect(run).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/shutting down/) });
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/shutting down/) });
    await expect(client.run('workspace.open', { dir: '/repo' })).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('drops a client that does not read (close 1013) and keeps the others', async () => {
    const events = createEventBus();
    const dispatcher = createDispatcher({ events, newId: () => 'x', handlers: fakeHandlers() });
    const tight = await startServer({ app: { dispatcher, events }, staticDir, maxBufferedBytes: 256 * 1024 });
    extra.push(tight);
    const slow = rawClient(wsUrl(tight));
    await slow.opened;
    const healthy = await connectWebSocket(tight.url);
    let healthyEvents = 0;
    healthy.onEvent(() => healthyEvents++);

    slow.ws.pause();
    const message = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 400; i++) {
      events.emit('job.progress', { jobId: 'flood', command: 'workspace.open', message, fraction: null });
      // Let the server's sockets flush between bursts so only the paused client falls behind.
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    slow.ws.resume();
    expect(await slow.closed).toBe(1013);
    expect(await healthy.invoke('app.info', {})).toMatchObject({ ok: true });
    expect(healthyEvents).toBeGreaterThan(0);
    healthy.close();
  });

  it('answers a clear message when the port is already in use', async () => {
    await expect(startServer({ app, port: server.port, staticDir })).rejects.toThrow(
      `Port ${server.port} on 127.0.0.1 is already in use — choose another with --port or stop the other process`,
    );
    // The first server still works.
    expect((await get(server.port, '/')).status).toBe(200);
  });

  it('close() ends open sockets with 1001 and frees the port', async () => {
    const temp = await startServer({ app, staticDir });
    const client = rawClient(wsUrl(temp));
    await client.opened;
    await temp.close();
    expect(await client.closed).toBe(1001);
    const again = await startServer({ app, staticDir, port: temp.port });
    extra.push(again);
    expect(again.port).toBe(temp.port);
    expect((again.url.match(/token=(.*)$/) ?? [])[1]).not.toBe(temp.token);
  });
});
