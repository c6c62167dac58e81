// The headless server on a real port: token, Host and Origin checks, static files (the wire protocol,
// oversized and malformed messages, backpressure and port conflicts: ws-server-wire.test.ts).
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../../shared/client.js';
import { type RunningServer, startServer, tokenMatches } from '../../../electron/transports/ws/ws-server.js';
import { connectWebSocket } from '../../../electron/transports/ws/ws-channel-node.js';
import { DOCKER_DOWN, get, type ServerFixture, useFixture, upgradeStatus, wsUrl } from './ws-server-support.js';

describe('tokenMatches', () => {
  it('accepts only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
  });
});

describe('ws-server: access and static files', () => {
  let tmp: string;
  let staticDir: string;
  let server: RunningServer;
  let app: ServerFixture['app'];
  const extra: RunningServer[] = [];
  useFixture(extra, (f) => ({ tmp, staticDir, server, app } = f));

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
});
