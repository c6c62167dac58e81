// A GET of the Docker Engine API answered as JSON, over node:http alone. The calls an unchanged
// build makes (is the engine there, does the image of this content hash exist) go through here, so
// they do not load dockerode (about a third of a fresh `convoy build`'s start: it loads gRPC and ssh2
// up front). Errors look like docker-modem's: connection failures keep their errno `code`, answers
// of 400 and up carry `statusCode` and the engine's message, so docker-errors.ts maps both alike.
import http from 'node:http';
import { ConvoyError } from '../../../shared/errors.js';

function target(endpoint: string): { socketPath: string } | { host: string; port: number } {
  const url = new URL(endpoint);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:' || url.protocol === 'http:') return { host: url.hostname, port: Number(url.port || 2375) };
  throw new ConvoyError(
    'DOCKER_UNAVAILABLE',
    `Cannot use Docker endpoint ${endpoint}: only unix sockets and plain tcp are supported — set DOCKER_HOST to unix:///path/to/docker.sock or tcp://host:port`,
  );
}

export function engineGet<T>(endpoint: string, path: string, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = http.get({ ...target(endpoint), path, headers: { accept: 'application/json' }, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text for the message
        }
        if (status >= 200 && status < 300) return resolve(body as T);
        const detail = typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : text.trim();
        reject(Object.assign(new Error(`(HTTP code ${status}) ${detail}`), { statusCode: status, json: body }));
      });
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer from the Docker Engine within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
  });
}
