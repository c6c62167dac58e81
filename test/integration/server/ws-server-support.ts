// Shared by the headless server's tests (ws-server.test.ts, ws-server-wire.test.ts): a fake app over stub
// handlers, a started server with a static folder, and raw HTTP/WebSocket clients.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../../shared/channel.js';
import { type Handlers, createDispatcher } from '../../../electron/core/dispatcher.js';
import { type EventBus, createEventBus } from '../../../electron/core/events.js';
import { type RunningServer, startServer } from '../../../electron/transports/ws/ws-server.js';
import { stubHandlers } from '../../support/stub-handlers.js';

export const DOCKER_DOWN = {
  reachable: false,
  endpoint: 'unix:///var/run/docker.sock',
  version: null,
  error: 'Docker Engine not reachable (test)',
};

export function fakeHandlers(): Handlers {
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
export function fakeApp(): { dispatcher: ReturnType<typeof createDispatcher>; events: EventBus } {
  const events = createEventBus();
  const dispatcher = createDispatcher({ handlers: fakeHandlers(), events, newId: () => `job-${++ids}` });
  return { dispatcher, events };
}

/** Sends an upgrade request and answers the HTTP status the server replied with (101 when it upgraded). */
export function upgradeStatus(port: number, requestPath: string, headers: Record<string, string> = {}): Promise<number> {
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

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function get(port: number, requestPath: string, headers: Record<string, string> = {}): Promise<Answer> {
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
export function rawClient(url: string) {
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

export function wsUrl(server: RunningServer, token = server.token): string {
  return `ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`;
}

export interface ServerFixture {
  tmp: string;
  staticDir: string;
  server: RunningServer;
  app: ReturnType<typeof fakeApp>;
}

/** A server on a random port over the fake app, serving a static folder with a file outside it. */
export async function startFixture(): Promise<ServerFixture> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'convoy-ws-'));
  const staticDir = path.join(tmp, 'static');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Convoy test</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("hi");');
  writeFileSync(path.join(staticDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(path.join(tmp, 'secret.txt'), 'do not serve');
  const app = fakeApp();
  const server = await startServer({ app, port: 0, staticDir });
  return { tmp, staticDir, server, app };
}

export async function stopFixture(fixture: ServerFixture | undefined): Promise<void> {
  await fixture?.server.close();
  if (fixture) rmSync(fixture.tmp, { recursive: true, force: true });
}

/**
 * Registers a describe block's hooks: the fixture started before its tests (handed to `ready`), the
 * servers a test pushed on `extra` closed after it, and the fixture stopped after them all.
 */
export function useFixture(extra: RunningServer[], ready: (fixture: ServerFixture) => void): void {
  let fixture: ServerFixture | undefined;
  beforeAll(async () => {
    fixture = await startFixture();
    ready(fixture);
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close()));
  });
  afterAll(() => stopFixture(fixture));
}
