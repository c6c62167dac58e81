// Exec credential plugins (what EKS, GKE and AKS kubeconfigs use): the plugin runs, its token reaches
// the API server, and a server that wants a token refuses a kubeconfig without one with KUBE_AUTH.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { type KubeApiServer, startKubeApiServer } from '../../kube-api-server/index.js';
import { REAL, exampleUnit } from './cluster.js';

const TOKEN = `exec-${Math.random().toString(36).slice(2)}-token`;
let server: KubeApiServer;
let dir: string;

function kubeconfig(name: string, user: Record<string, unknown>): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: server.url } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'exec-test', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
      'current-context': 'exec-test',
    }),
  );
  return file;
}

beforeAll(async () => {
  server = await startKubeApiServer({ token: TOKEN, podReadyAfterMs: 50 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'convoy-exec-auth-'));
  writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: exec-cm }\ndata: { a: "1" }\n');
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const unit = () => exampleUnit('exec', 'shop/exec:1', 'rel-exec', { manifestsDir: dir });

describe.skipIf(REAL)('exec credential plugins', () => {
  it('runs the plugin and sends its token', async () => {
    const plugin = path.join(dir, 'fake-auth-plugin');
    // Prints an ExecCredential as a cloud CLI does; the apiVersion comes from the kubeconfig.
    writeFileSync(plugin, `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"}}' "$CONVOY_TEST_TOKEN"\n`);
    chmodSync(plugin, 0o755);
    const file = kubeconfig('exec', {
      exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin, env: [{ name: 'CONVOY_TEST_TOKEN', value: TOKEN }], interactiveMode: 'Never' },
    });
    const target = createKubeTarget({ environment: 'exec', context: 'exec-test', namespace: 'default', kubeconfigPath: file });
    const result = await target.apply([unit()]);
    expect(result.objects).toEqual([{ service: 'exec', object: 'ConfigMap default/exec-cm', action: 'created' }]);
    expect(server.get('configmaps', 'default', 'exec-cm')).toMatchObject({ data: { a: '1' } });
  });

  it('refuses a kubeconfig with no credentials with KUBE_AUTH, naming the context', async () => {
    const file = kubeconfig('none', {});
    const target = createKubeTarget({ environment: 'exec', context: 'exec-test', namespace: 'default', kubeconfigPath: file });
    const error = await target.diff([unit()]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KUBE_AUTH', message: expect.stringContaining('exec-test') });
  });
});
