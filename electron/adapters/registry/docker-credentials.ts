// Registry credentials exactly where `docker push` finds them: the Docker client's config.json
// ($DOCKER_CONFIG or ~/.docker): `credHelpers[host]`, then `credsStore`, run as
// `docker-credential-<helper> get`, then `auths[host]` (base64 `user:password`, or an identity token).
// Convoy never stores them; every value found joins the redactor before it is used.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** An OAuth refresh token (`docker login` with a token); sent instead of the password. */
  identityToken?: string;
  /** Where it came from, for messages: `credHelpers (pass)`, `auths in /home/me/.docker/config.json`. */
  source: string;
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json | null => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null);
const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

export function dockerConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'), 'config.json');
}

/** The keys Docker may have filed a host under (`docker login` of Docker Hub uses its index URL). */
function keysFor(host: string): string[] {
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

/** Runs `docker-credential-<helper> get` with the host on stdin; null when it has nothing for it. */
function runHelper(helper: string, host: string, env: NodeJS.ProcessEnv): Promise<{ username: string; secret: string } | null> {
  // Docker runs `docker-credential-<name>` from PATH; a name with a path in it would run something else.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(helper)) return Promise.reject(new Error(`credential helper "${helper}" in the Docker client config is not a helper name (docker-credential-<name> on PATH)`));
  return new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { env, timeout: 30_000 }, (err, stdout) => {
      if (err) {
        // Helpers answer "credentials not found in native keychain" for an unknown host.
        if (/not found/i.test(`${stdout}${err.message}`)) return resolve(null);
        return reject(new Error(`docker-credential-${helper} get failed for ${host}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `docker-credential-${helper} is not installed or not on PATH` : err.message.split('\n')[0]}`));
      }
      try {
        const answer = obj(JSON.parse(stdout));
        const username = str(answer?.Username);
        const secret = str(answer?.Secret);
        resolve(username !== null && secret !== null ? { username, secret } : null);
      } catch {
        reject(new Error(`docker-credential-${helper} get answered something that is not JSON for ${host}`));
      }
    });
    child.stdin?.end(host);
  });
}

/**
 * The credentials Docker would use for `host`, or null when the config has none (the registry may
 * allow anonymous pushes). `remember` is called with every secret value before it is returned.
 */
export async function credentialsFor(host: string, remember: (secrets: string[]) => void, env: NodeJS.ProcessEnv = process.env): Promise<RegistryCredentials | null> {
  const file = dockerConfigFile(env);
  let config: Json = {};
  try {
    config = obj(JSON.parse(readFileSync(file, 'utf8'))) ?? {};
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Docker client config ${file} cannot be read (${(err as Error).message}); fix it or point DOCKER_CONFIG at another folder`);
  }
  const helpers = obj(config.credHelpers) ?? {};
  const helper = keysFor(host).map((k) => str(helpers[k])).find((h) => h !== null) ?? str(config.credsStore);
  if (helper) {
    const found = await runHelper(helper, host, env);
    if (found) {
      remember([found.secret]);
      const token = found.username === '<token>';
      return { username: token ? '' : found.username, password: token ? '' : found.secret, ...(token ? { identityToken: found.secret } : {}), source: `docker-credential-${helper}` };
    }
  }
  const auths = obj(config.auths) ?? {};
  const entry = keysFor(host).map((k) => obj(auths[k])).find((e) => e !== null);
  if (!entry) return null;
  const identityToken = str(entry.identitytoken);
  let username = str(entry.username) ?? '';
  let password = str(entry.password) ?? '';
  const basic = str(entry.auth);
  if (basic) {
    remember([basic]);
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  remember([password, identityToken ?? ''].filter((v) => v.length > 0));
  if (!username && !password && !identityToken) return null;
  return { username, password, ...(identityToken ? { identityToken } : {}), source: `auths in ${file}` };
}
