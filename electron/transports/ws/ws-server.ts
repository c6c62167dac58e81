// The headless console: serves the built renderer over HTTP and the contract over a WebSocket, on
// 127.0.0.1 only, behind a per-run token. Every call goes through the same dispatcher as IPC and the CLI.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../../shared/contract.js';
import { contentSecurityPolicy } from '../../../shared/csp.js';
import { type ServerMessage, parseClientMessage } from '../../../shared/channel.js';
import type { Dispatcher } from '../../core/dispatcher.js';
import type { EventBus } from '../../core/events.js';

/** The only interface the server ever binds. */
export const LOOPBACK_HOST = '127.0.0.1';

/** A client whose unsent data grows past this is dropped (close 1013) rather than buffered without end. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface ServerOptions {
  app: { dispatcher: Dispatcher; events: Pick<EventBus, 'subscribe'> };
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Folder of the built renderer (index.html and assets/). */
  staticDir: string;
  /** Defaults to 32 random bytes, base64url. */
  token?: string;
  /** Only 127.0.0.1 is accepted; anything else is refused. */
  host?: string;
  /** Overrides MAX_BUFFERED_BYTES (tests). */
  maxBufferedBytes?: number;
}

export interface RunningServer {
  /** The console address including the token: http://127.0.0.1:PORT/?token=TOKEN */
  url: string;
  port: number;
  token: string;
  /** The bound socket address, as the operating system reports it: always 127.0.0.1 (IPv4). */
  address(): AddressInfo;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Convoy</title></head>
<body>
<h1>Convoy</h1>
<p>Renderer not built — run <code>npm run build:renderer</code> and restart <code>convoy serve</code>.</p>
</body>
</html>
`;

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Compares a presented token with the expected one in constant time (for equal lengths). */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  const want = Buffer.from(expected, 'utf8');
  const got = Buffer.from(given ?? '', 'utf8');
  if (got.length !== want.length) {
    // Same amount of work either way; the length of a token is no secret.
    timingSafeEqual(want, want);
    return false;
  }
  return timingSafeEqual(got, want);
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    // The console's one policy (shared/csp.ts), plus this server's own socket.
    'Content-Security-Policy': contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** The Host values a browser sends for this server; anything else may be a DNS-rebinding attempt. */
function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

function rawPathname(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function queryOf(url: string | undefined): URLSearchParams {
  const raw = url ?? '';
  const start = raw.indexOf('?');
  return new URLSearchParams(start === -1 ? '' : raw.slice(start + 1));
}

/** Writes a plain HTTP answer on a socket that asked for an upgrade, then closes it. */
function refuseUpgrade(socket: Duplex, status: number, reason: string, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = `${body}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      '\r\n' +
      text,
  );
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(
          new Error(
            `Port ${port} on ${LOOPBACK_HOST} is already in use — choose another with --port or stop the other process`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(new Error(`Not allowed to listen on port ${port} on ${LOOPBACK_HOST} — choose a port above 1023 with --port`));
      } else {
        reject(new Error(`Could not listen on ${LOOPBACK_HOST}:${port}: ${err.message}`));
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: LOOPBACK_HOST, exclusive: true });
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? LOOPBACK_HOST;
  if (host !== LOOPBACK_HOST) {
    throw new Error(`Convoy serves on ${LOOPBACK_HOST} only; refusing to listen on ${JSON.stringify(host)}`);
  }
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new Error(`Invalid port ${String(options.port)}: use an integer from 0 to 65535 (0 picks a free port)`);
  }
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (token.length === 0) throw new Error('The access token may not be empty');
  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const staticRoot = path.resolve(options.staticDir);
  const { dispatcher, events } = options.app;

  // Known once listening; the request handlers only run after that.
  let port = 0;
  let hosts = new Set<string>();
  let headers: Record<string, string> = {};

  async function serveFile(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const notFound = () => {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : 'Not found\n');
    };
    let pathname: string;
    try {
      pathname = decodeURIComponent(rawPathname(req.url));
    } catch {
      notFound();
      return;
    }
    if (pathname.includes('\0') || !pathname.startsWith('/')) {
      notFound();
      return;
    }
    const isIndex = pathname === '/' || pathname === '/index.html';
    const target = path.resolve(staticRoot, `.${isIndex ? '/index.html' : pathname}`);
    if (target !== staticRoot && !target.startsWith(staticRoot + path.sep)) {
      notFound();
      return;
    }
    let file: string;
    let size: number;
    try {
      // Follow links, then check again that the real file is still inside the real static root.
      const [realRoot, realTarget] = await Promise.all([fs.realpath(staticRoot), fs.realpath(target)]);
      if (!realTarget.startsWith(realRoot + path.sep)) throw new Error('outside the static root');
      const stat = await fs.stat(realTarget);
      if (!stat.isFile()) throw new Error('not a file');
      file = realTarget;
      size = stat.size;
    } catch {
      if (isIndex) {
        res.writeHead(200, {
          ...headers,
          'Content-Type': 'text/html; charset=utf-8',
          'Cache-Control': 'no-store',
          'Content-Length': Buffer.byteLength(NOT_BUILT_PAGE),
        });
        res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
        return;
      }
      notFound();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': contentTypeFor(file),
      'Content-Length': size,
      'Cache-Control': isIndex ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  const server = http.createServer((req, res) => {
    if (!hosts.has(req.headers.host ?? '')) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('Forbidden: unexpected Host header\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    if (rawPathname(req.url) === '/ws') {
      res.writeHead(426, { ...headers, Upgrade: 'websocket', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Upgrade required: connect with a WebSocket\n');
      return;
    }
    serveFile(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, headers);
      res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, clientTracking: true });
  const sockets = new Set<WebSocket>();

  function onConnection(ws: WebSocket): void {
    sockets.add(ws);
    let dropped = false;

    const send = (message: ServerMessage): void => {
      if (dropped || ws.readyState !== WebSocket.OPEN) return;
      let text: string;
      try {
        text = JSON.stringify(message);
      } catch {
        return;
      }
      ws.send(text);
      if (ws.bufferedAmount > maxBuffered) {
        // The client does not read: drop it rather than grow this process's memory.
        dropped = true;
        unsubscribe();
        ws.close(1013, 'Client is not reading fast enough');
        setTimeout(() => ws.terminate(), 2000).unref();
      }
    };

    const unsubscribe = events.subscribe((name, payload) => send({ type: 'event', name, payload }));

    ws.on('message', (data, isBinary) => {
      if (dropped) return;
      if (isBinary) {
        send({ type: 'error', error: { code: 'BAD_MESSAGE', message: 'binary frames are not supported; send JSON text' } });
        return;
      }
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.from(new Uint8Array(data)).toString('utf8');
      const message = parseClientMessage(text);
      if ('error' in message) {
        send({ type: 'error', error: { code: 'BAD_MESSAGE', message: message.error } });
        return;
      }
      dispatcher
        .dispatch(message.name, message.input, { transport: 'websocket' })
        .then(
          (result) => send({ type: 'result', id: message.id, result }),
          (err: unknown) =>
            send({
              type: 'result',
              id: message.id,
              result: { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } },
            }),
        );
    });
    ws.on('error', () => {
      // Oversized frames, invalid UTF-8, protocol errors: ws closes the socket (1009, 1007, 1002);
      // this listener only keeps the error from reaching the process.
    });
    ws.on('close', () => {
      sockets.delete(ws);
      unsubscribe();
    });
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!hosts.has(req.headers.host ?? '')) {
      refuseUpgrade(socket, 403, 'Forbidden', 'Forbidden: unexpected Host header');
      return;
    }
    if (rawPathname(req.url) !== '/ws') {
      refuseUpgrade(socket, 404, 'Not Found', 'Not found');
      return;
    }
    if (!tokenMatches(queryOf(req.url).get('token'), token)) {
      refuseUpgrade(socket, 401, 'Unauthorized', 'Unauthorized: missing or wrong token — open the URL convoy serve printed');
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) {
      refuseUpgrade(socket, 403, 'Forbidden', 'Forbidden: cross-origin WebSocket');
      return;
    }
    wss.handleUpgrade(req, socket, head, onConnection);
  });

  // Browsers that keep connections alive must not hold close() open.
  server.keepAliveTimeout = 5000;

  port = await listen(server, requestedPort);
  hosts = allowedHosts(port);
  headers = securityHeaders(port);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${LOOPBACK_HOST}:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    address() {
      const bound = server.address();
      if (!bound || typeof bound === 'string') throw new Error('The Convoy server is not listening');
      return { address: bound.address, family: bound.family, port: bound.port };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        const waits: Promise<void>[] = [];
        for (const ws of sockets) {
          waits.push(
            new Promise<void>((done) => {
              const timer = setTimeout(() => ws.terminate(), 1000);
              timer.unref();
              ws.once('close', () => {
                clearTimeout(timer);
                done();
              });
              ws.close(1001, 'Convoy server is shutting down');
            }),
          );
        }
        const httpClosed = new Promise<void>((done) => server.close(() => done()));
        server.closeAllConnections();
        void Promise.all([...waits, httpClosed]).then(() => wss.close(() => resolve()));
      });
      return closing;
    },
  };
}
