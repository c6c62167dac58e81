// Registry credentials where `docker push` finds them (electron/adapters/registry/docker-credentials.ts):
// auths (base64 user:password, identity tokens), a credential helper per host, the default credsStore;
// every secret handed to the redactor before use; and what each failed push message says
// (push-errors.ts).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialsFor } from '../../../electron/adapters/registry/docker-credentials.js';
import { classifyPushFailure } from '../../../electron/adapters/registry/push-errors.js';
import { isTransientPushError } from '../../../electron/core/ports/image-registry.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convoy-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configDir(name: string, config: unknown): NodeJS.ProcessEnv {
  const folder = path.join(dir, name);
  const bin = path.join(folder, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config));
  // A credential helper as Docker runs it: the host on stdin, JSON on stdout.
  const helper = path.join(bin, 'docker-credential-fake');
  writeFileSync(helper, '#!/bin/sh\nread host\nif [ "$host" = "helped.example.com" ]; then echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"robot\\",\\"Secret\\":\\"helper-secret-1\\"}"; else echo "credentials not found in native keychain"; exit 1; fi\n');
  chmodSync(helper, 0o755);
  return { PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: folder, HOME: folder };
}

describe('registry credentials from the Docker client config', () => {
  it('decodes auths and gives every secret form to the redactor', async () => {
    const seen: string[] = [];
    const basic = Buffer.from('ada:pa55-word').toString('base64');
    const env = configDir('auths', { auths: { '127.0.0.1:5000': { auth: basic }, 'https://token.example.com': { identitytoken: 'refresh-tok-9' } } });
    expect(await credentialsFor('127.0.0.1:5000', (s) => seen.push(...s), env)).toMatchObject({ username: 'ada', password: 'pa55-word' });
    expect(seen).toEqual(expect.arrayContaining([basic, 'pa55-word']));
    expect(await credentialsFor('token.example.com', (s) => seen.push(...s), env)).toMatchObject({ identityToken: 'refresh-tok-9' });
    expect(seen).toContain('refresh-tok-9');
    expect(await credentialsFor('other.example.com', () => {}, env)).toBeNull();
  });

  it('runs the host credential helper first, and the credsStore for the rest', async () => {
    const seen: string[] = [];
    const env = configDir('helpers', { credHelpers: { 'helped.example.com': 'fake' }, auths: { 'helped.example.com': { auth: Buffer.from('x:y').toString('base64') } } });
    expect(await credentialsFor('helped.example.com', (s) => seen.push(...s), env)).toMatchObject({ username: 'robot', password: 'helper-secret-1', source: 'docker-credential-fake' });
    expect(seen).toEqual(['helper-secret-1']);
    const store = configDir('store', { credsStore: 'fake' });
    expect(await credentialsFor('unknown.example.com', () => {}, store)).toBeNull();
    expect(await credentialsFor('helped.example.com', () => {}, store)).toMatchObject({ username: 'robot' });
  });

  it('a helper that is not installed is an error naming it', async () => {
    const env = configDir('missing', { credsStore: 'nothere' });
    await expect(credentialsFor('x.example.com', () => {}, env)).rejects.toThrow('docker-credential-nothere is not installed or not on PATH');
  });

  it('a helper name with a path in it is refused, not run', async () => {
    const env = configDir('pathy', { credHelpers: { 'x.example.com': '../../tmp/evil' } });
    await expect(credentialsFor('x.example.com', () => {}, env)).rejects.toThrow('credential helper "../../tmp/evil" in the Docker client config is not a helper name');
  });

  it('no config file means no credentials', async () => {
    expect(await credentialsFor('x.example.com', () => {}, { DOCKER_CONFIG: path.join(dir, 'absent') })).toBeNull();
  });
});

describe('push failure messages', () => {
  const repo = 'reg.example.com/shop/orders-api';
  const creds = { username: 'u', password: 'p', source: 'auths in /home/me/.docker/config.json' };
  it.each([
    ['unauthorized: authentication required', creds, /refused the credentials from auths in .* \(401: unauthorized/, false],
    ['no basic auth credentials', null, /requires credentials and Docker has none for it .*run docker login reg\.example\.com/, false],
    ['denied: requested access to the resource is denied', creds, /refused this repository .*403/, false],
    ['error parsing HTTP 413 response body: invalid character', creds, /refused the size/, false],
    ['name unknown: repository name not known to registry', creds, /repository does not exist/, false],
    ['Get "http://reg.example.com/v2/": dial tcp 10.0.0.1:80: connect: connection refused', creds, /unreachable/, true],
    ['received unexpected HTTP status: 502 Bad Gateway', creds, /502 Bad Gateway \(transient\)/, true],
  ])('%s', (message, found, expected, transient) => {
    const err = classifyPushFailure(repo, message, found);
    expect(err.code).toBe('IMAGE_PUSH_FAILED');
    expect(err.message).toMatch(/^push of reg\.example\.com\/shop\/orders-api to registry reg\.example\.com failed: /);
    expect(err.message).toMatch(expected);
    expect(isTransientPushError(err)).toBe(transient);
  });
});
