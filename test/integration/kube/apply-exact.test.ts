// Server-side apply sends the manifest as written. client-node's typed models would drop a field they
// do not know; an apply without the field makes the field manager give up ownership of it, so Convoy
// must never send a trimmed object. Runs against the test server only (a real API server rejects or
// prunes an unknown field itself, which is the point of sending it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { REAL, exampleUnit, startCluster, type TestCluster } from './cluster.js';

let cluster: TestCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startCluster('convoy-exact');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-exact-'));
  fs.writeFileSync(
    path.join(dir, 'deployment.yaml'),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: web }',
      'spec:',
      '  replicas: 1',
      '  selector: { matchLabels: { app: web } }',
      '  template:',
      '    metadata: { labels: { app: web } }',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: shop/web:latest',
      '          futureContainerField: { mode: fast }',
      '      futurePodField: true',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await cluster?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(REAL)('server-side apply body', () => {
  it('keeps fields that client-node’s models do not know', async () => {
    const target = createKubeTarget({ environment: 'test', context: cluster.context, namespace: cluster.namespace, createNamespace: true, kubeconfigPath: cluster.kubeconfig });
    await target.apply([exampleUnit('web', 'shop/web:1', 'rel-1', { manifestsDir: dir })]);
    const stored = cluster.server!.get('deployments', cluster.namespace, 'web') as {
      spec: { template: { spec: { futurePodField?: unknown; containers: Array<{ image: string; futureContainerField?: unknown }> } } };
    };
    expect(stored.spec.template.spec.containers[0]).toMatchObject({ image: 'shop/web:1', futureContainerField: { mode: 'fast' } });
    expect(stored.spec.template.spec.futurePodField).toBe(true);
  });
});
