// The registry API client (electron/adapters/registry/registry-http.ts) over a scripted fetch: a
// bearer challenge answered with a token (basic credentials, or an identity token exchanged by POST),
// HEAD manifest found or not, and loopback registries over plain HTTP.
import { describe, expect, it } from 'vitest';
import { createRegistryClient, registryUrl } from '../../../electron/adapters/registry/registry-http.js';
import type { RegistryCredentials } from '../../../electron/adapters/registry/docker-credentials.js';

type Call = { url: string; method: string; auth: string | null; body: string | null };

function tokenRegistry(known: Set<string>) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    const headers = (init.headers ?? {}) as Record<string, string>;
    calls.push({ url, method: init.method ?? 'GET', auth: headers.Authorization ?? null, body: typeof init.body === 'string' ? init.body : null });
    if (url.startsWith('https://auth.example.com/token')) return new Response(JSON.stringify({ token: 'tok-123' }), { status: 200 });
    if (headers.Authorization !== 'Bearer tok-123') {
      return new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:shop/api:pull"' } });
    }
    const digest = url.split('/manifests/')[1];
    return new Response(null, { status: url.endsWith('/v2/') || (digest && known.has(digest)) ? 200 : 404 });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const basic: RegistryCredentials = { username: 'ada', password: 'pw', source: 'test' };

describe('registry API client', () => {
  it('answers a bearer challenge with a token fetched with basic credentials', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const { calls, fetchImpl } = tokenRegistry(new Set([digest]));
    const client = createRegistryClient('registry.example.com', async () => basic, fetchImpl);
    expect(await client.hasManifest('shop/api', digest)).toBe(true);
    expect(await client.hasManifest('shop/api', `sha256:${'b'.repeat(64)}`)).toBe(false);
    const token = calls.find((c) => c.url.startsWith('https://auth.example.com/token'))!;
    expect(new URL(token.url).searchParams.get('scope')).toBe('repository:shop/api:pull');
    expect(token.auth).toBe(`Basic ${Buffer.from('ada:pw').toString('base64')}`);
    expect(calls[0]!.url).toBe(`https://registry.example.com/v2/shop/api/manifests/${digest}`);
  });

  it('exchanges an identity token by POST, as Docker does', async () => {
    const { calls, fetchImpl } = tokenRegistry(new Set());
    const client = createRegistryClient('registry.example.com', async () => ({ username: '', password: '', identityToken: 'refresh-1', source: 'test' }), fetchImpl);
    await client.ping();
    const token = calls.find((c) => c.url.startsWith('https://auth.example.com/token'))!;
    expect(token.method).toBe('POST');
    expect(new URLSearchParams(token.body!).get('refresh_token')).toBe('refresh-1');
    expect(new URLSearchParams(token.body!).get('grant_type')).toBe('refresh_token');
  });

  it('speaks plain HTTP to loopback registries only', () => {
    expect(registryUrl('127.0.0.1:5000', '/v2/')).toBe('http://127.0.0.1:5000/v2/');
    expect(registryUrl('localhost:5000', '/v2/')).toBe('http://localhost:5000/v2/');
    expect(registryUrl('registry.example.com', '/v2/')).toBe('https://registry.example.com/v2/');
  });
});
