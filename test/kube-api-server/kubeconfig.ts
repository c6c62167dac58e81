// Writes a kubeconfig (cluster, user, context) pointing at the test server.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  context?: string;
  namespace?: string;
  token?: string;
}

export function writeKubeconfig(file: string, url: string, options: KubeconfigOptions = {}): string {
  const context = options.context ?? 'kube-api-server';
  const user: Record<string, string> = {};
  if (options.token) user.token = options.token;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: context, cluster: { server: url } }],
    users: [{ name: context, user }],
    contexts: [{ name: context, context: { cluster: context, user: context, namespace: options.namespace ?? 'default' } }],
    'current-context': context,
  };
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, stringify(config), { mode: 0o600 });
  return target;
}
