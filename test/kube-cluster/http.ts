// A small HTTPS client for the control plane's API, authenticated with the admin client certificate
// (the pod simulator and the starter use it; Convoy itself uses its own client and the test token).
import https from 'node:https';

export interface KubeResponse {
  status: number;
  body: unknown;
  text: string;
}

export interface KubeHttp {
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
  close(): void;
}

export interface ClientCredentials {
  ca: string;
  cert: string;
  key: string;
}

export function kubeHttp(url: string, credentials: ClientCredentials, timeoutMs = 15_000): KubeHttp {
  const agent = new https.Agent({ ...credentials, keepAlive: true, maxSockets: 8 });
  const base = new URL(url);
  return {
    request(method, path, body, contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const req = https.request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            method,
            path,
            timeout: timeoutMs,
            headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown = text;
              try {
                parsed = JSON.parse(text);
              } catch {
                // not JSON (e.g. /readyz answers "ok")
              }
              resolve({ status: res.statusCode ?? 0, body: parsed, text });
            });
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}

/** Throws a readable error unless the response has one of the expected statuses. */
export function expectStatus(res: KubeResponse, what: string, ...ok: number[]): KubeResponse {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status}: ${res.text.slice(0, 500)}`);
  return res;
}
