// The registry's own HTTP API (distribution spec) for what the engine cannot answer: does the
// registry answer and take our credentials (GET /v2/), and does a repository hold a manifest digest
// (HEAD /v2/<name>/manifests/<digest>). Basic auth and bearer tokens, as registries ask for them.
// Loopback registries speak plain HTTP (Docker treats 127.0.0.0/8 as insecure by default); any other
// host is spoken to over HTTPS.
import { ConvoyError } from '../../../shared/errors.js';
import type { RegistryCredentials } from './docker-credentials.js';

export type TransientError = ConvoyError & { transient: boolean };

export function pushError(message: string, transient = false): TransientError {
  return Object.assign(new ConvoyError('IMAGE_PUSH_FAILED', message), { transient });
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export function isLoopback(host: string): boolean {
  const name = host.replace(/:[0-9]+$/, '');
  return name === 'localhost' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(name) || name === '[::1]';
}

export function registryUrl(host: string, pathname: string): string {
  return `${isLoopback(host) ? 'http' : 'https'}://${host}${pathname}`;
}

function challengeOf(header: string | null): { scheme: string; params: Record<string, string> } | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

export interface RegistryClient {
  ping(): Promise<void>;
  hasManifest(path: string, digest: string): Promise<boolean>;
}

export function createRegistryClient(host: string, credentials: () => Promise<RegistryCredentials | null>, fetchImpl: typeof fetch = fetch): RegistryClient {
  const unreachable = (err: unknown) =>
    pushError(`registry ${host} is unreachable (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}); check that it runs and that this machine can reach it`, true);
  const send = async (url: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetchImpl(url, init);
    } catch (err) {
      throw unreachable(err);
    }
  };

  /** Answers the response with auth applied as the registry's challenge asks; `scope` for bearer tokens. */
  async function request(pathname: string, method: string, scope: string | null): Promise<Response> {
    const url = registryUrl(host, pathname);
    const headers: Record<string, string> = { Accept: MANIFEST_TYPES };
    const first = await send(url, { method, headers });
    if (first.status !== 401) return first;
    const challenge = challengeOf(first.headers.get('www-authenticate'));
    const creds = await credentials();
    if (challenge?.scheme === 'basic') {
      if (!creds) throw pushError(`registry ${host} requires credentials and Docker has none for it; run docker login ${host}`);
      headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      return send(url, { method, headers });
    }
    if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      const tokenUrl = new URL(challenge.params.realm);
      if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
      if (scope) tokenUrl.searchParams.set('scope', scope);
      let tokenResponse: Response;
      if (creds?.identityToken) {
        // An identity token is an OAuth2 refresh token: exchanged at the realm by POST, as Docker does.
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'convoy', service: challenge.params.service ?? '', ...(scope ? { scope } : {}) });
        tokenResponse = await send(challenge.params.realm, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      } else {
        const tokenHeaders: Record<string, string> = creds ? { Authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` } : {};
        tokenResponse = await send(tokenUrl.toString(), { headers: tokenHeaders });
      }
      if (tokenResponse.status === 401 || tokenResponse.status === 403) throw pushError(`registry ${host} refused the credentials from ${creds?.source ?? 'nowhere (none configured)'} (HTTP ${tokenResponse.status}); run docker login ${host} again`);
      const body = (await tokenResponse.json().catch(() => ({}))) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      if (!token) return first;
      headers.Authorization = `Bearer ${token}`;
      return send(url, { method, headers });
    }
    return first;
  }

  return {
    async ping() {
      const response = await request('/v2/', 'GET', null);
      if (response.ok) return;
      const creds = await credentials();
      if (response.status === 401) {
        throw pushError(creds ? `registry ${host} refused the credentials from ${creds.source} (HTTP 401); run docker login ${host} again` : `registry ${host} requires credentials and Docker has none for it; run docker login ${host}`);
      }
      if (response.status === 404) throw pushError(`${host} answers HTTP but is not a registry (no /v2/ API); check the registry in convoy.yaml`);
      throw pushError(`registry ${host} answered HTTP ${response.status} on /v2/`, response.status >= 500);
    },
    async hasManifest(path, digest) {
      const response = await request(`/v2/${path}/manifests/${digest}`, 'HEAD', `repository:${path}:pull`);
      if (response.ok) return true;
      if (response.status === 404) return false;
      if (response.status === 401 || response.status === 403) throw pushError(`registry ${host} refused to show ${path} (HTTP ${response.status}); check the credentials from docker login ${host} and that they may pull ${path}`);
      throw pushError(`registry ${host} answered HTTP ${response.status} for ${path}@${digest}`, response.status >= 500);
    },
  };
}
