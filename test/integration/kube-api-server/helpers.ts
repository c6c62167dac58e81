// Shared helpers for the kube-api-server tests: start a server, run the real kubectl against it,
// and make raw HTTP calls.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from '../../kube-api-server/index.js';

export const KUBECTL = '/usr/bin/kubectl';
export const ORDERS_DEPLOY = path.resolve('examples/shop/services/orders-api/deploy');

export interface Harness {
  server: KubeApiServer;
  dir: string;
  kubeconfig: string;
  kubectl(args: string[], options?: { kubeconfig?: string; stdin?: string }): Promise<KubectlResult>;
  http(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  write(name: string, text: string): string;
  close(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

export async function startHarness(options: KubeApiServerOptions = {}): Promise<Harness> {
  const server = await startKubeApiServer({ podReadyAfterMs: 40, ...options });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kube-api-server-test-'));
  const kubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig'));
  return {
    server,
    dir,
    kubeconfig,
    kubectl(args, opts = {}) {
      return new Promise((resolve) => {
        const child = execFile(
          KUBECTL,
          args,
          {
            env: {
              PATH: process.env.PATH ?? '/usr/bin:/bin',
              HOME: dir,
              KUBECONFIG: opts.kubeconfig ?? kubeconfig,
              KUBECACHEDIR: path.join(dir, 'cache'),
            },
            timeout: 40_000,
          },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
        if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
      });
    },
    async http(method, urlPath, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${server.url}${urlPath}`, init);
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON (e.g. a watch stream); callers use .text
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    write(name, text) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value (not undefined), or throws after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function deployment(name: string, image: string, extra: { replicas?: number; progressDeadlineSeconds?: number; labels?: Record<string, string> } = {}): Record<string, unknown> {
  const labels = { app: name, ...(extra.labels ?? {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: extra.replicas ?? 2,
      ...(extra.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: extra.progressDeadlineSeconds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}
