// `npm run kube-api-server` entry: starts on 127.0.0.1, writes a kubeconfig kubectl can use, stops on SIGINT.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KUBECTL } from './helpers.js';

describe('kube-api-server CLI', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kube-api-server-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its URL and kubeconfig, serves kubectl and exits on SIGINT', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'scripts/kube-api-server.ts', '--port', '0', '--kubeconfig', kubeconfig], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 300 && !output.includes('kubeconfig:'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(output).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(output).toContain(`kubeconfig: ${kubeconfig}`);
      const namespaces = execFileSync(KUBECTL, ['get', 'ns', '-o', 'name'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(dir, 'cache') },
      }).toString();
      expect(namespaces).toContain('namespace/default');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
