// Secrets Convoy can find on the machine without being told: registry credentials in the Docker
// client's config.json and credentials in kubeconfig files. They seed the redactor so that a build or a
// test that prints one never puts it in a log. Unreadable or malformed files are skipped: this only
// ever adds values to hide.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const obj = (value: unknown): Json | null => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null);
const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

/** Registry auth from the Docker client config ($DOCKER_CONFIG/config.json or ~/.docker/config.json). */
export function dockerConfigSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
  const text = readText(path.join(dir, 'config.json'));
  if (text === null) return [];
  const out: string[] = [];
  try {
    const auths = obj(obj(JSON.parse(text))?.auths) ?? {};
    for (const entry of Object.values(auths)) {
      const auth = obj(entry);
      if (!auth) continue;
      for (const key of ['auth', 'password', 'identitytoken', 'registrytoken']) {
        const value = str(auth[key]);
        if (value) out.push(value);
      }
      const basic = str(auth.auth);
      if (basic) {
        const decoded = Buffer.from(basic, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon >= 0 && decoded.length > colon + 1) out.push(decoded.slice(colon + 1));
      }
    }
  } catch {
    return out;
  }
  return out;
}

/** Tokens, passwords and client keys of every user in the kubeconfig files ($KUBECONFIG or ~/.kube/config). */
export function kubeconfigSecrets(env: NodeJS.ProcessEnv = process.env, extraFiles: string[] = []): string[] {
  const files = [...(env.KUBECONFIG ? env.KUBECONFIG.split(path.delimiter).filter(Boolean) : [path.join(os.homedir(), '.kube', 'config')]), ...extraFiles];
  const out: string[] = [];
  for (const file of files) {
    const text = readText(file);
    if (text === null) continue;
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      continue;
    }
    const users = Array.isArray(obj(doc)?.users) ? (obj(doc)!.users as unknown[]) : [];
    for (const entry of users) {
      const user = obj(obj(entry)?.user);
      if (!user) continue;
      for (const key of ['token', 'password', 'client-key-data']) {
        const value = str(user[key]);
        if (value) out.push(value);
      }
      const keyData = str(user['client-key-data']);
      if (keyData) out.push(Buffer.from(keyData, 'base64').toString('utf8'));
      const providerConfig = obj(obj(user['auth-provider'])?.config);
      for (const key of ['access-token', 'id-token', 'refresh-token', 'client-secret']) {
        const value = str(providerConfig?.[key]);
        if (value) out.push(value);
      }
      const keyFile = str(user['client-key']);
      if (keyFile) {
        const pem = readText(path.isAbsolute(keyFile) ? keyFile : path.join(path.dirname(file), keyFile));
        if (pem) out.push(pem);
      }
    }
  }
  return out;
}
