// A stand-in socket for the Docker Engine: a unix socket that forwards every connection to the real
// engine, so a test can make "the engine" go away (socket closed, open connections cut, the socket
// file gone — what a stopped daemon looks like) and come back, without touching the real daemon
// other tests use.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface DockerProxy {
  /** `unix:///…/docker.sock`: give it as a target's endpoint. */
  readonly endpoint: string;
  /** The engine goes away: the socket is closed and removed, open connections are cut. */
  stop(): Promise<void>;
  /** The engine is back on the same socket. */
  start(): Promise<void>;
  readonly running: boolean;
  close(): Promise<void>;
}

function upstreamOf(endpoint: string): { path: string } | { host: string; port: number } {
  const url = new URL(endpoint);
  if (url.protocol === 'unix:') return { path: url.pathname };
  return { host: url.hostname, port: Number(url.port || 2375) };
}

export async function startDockerProxy(upstreamEndpoint: string): Promise<DockerProxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'convoy-docker-proxy-'));
  const socketPath = path.join(dir, 'docker.sock');
  const upstream = upstreamOf(upstreamEndpoint);
  const open = new Set<Socket>();
  let server: Server | null = null;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const engine = 'path' in upstream ? connect(upstream.path) : connect(upstream.port, upstream.host);
        for (const socket of [client, engine]) {
          open.add(socket);
          socket.on('close', () => open.delete(socket));
          socket.on('error', () => {
            client.destroy();
            engine.destroy();
          });
        }
        client.pipe(engine);
        engine.pipe(client);
      });
      s.once('error', reject);
      s.listen(socketPath, () => {
        server = s;
        resolve();
      });
    });

  const stop = async () => {
    const s = server;
    server = null;
    for (const socket of open) socket.destroy();
    open.clear();
    // closing a unix socket server removes its file: new connections fail with ENOENT
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    endpoint: `unix://${socketPath}`,
    stop,
    start: async () => {
      if (!server) await listen();
    },
    get running() {
      return server !== null;
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
