// The registry adapter (electron/adapters/registry) against Debian's distribution registry: a push
// through the Docker Engine with the Docker client's credentials answers the digest the registry
// stored; the engine remembers it and a HEAD finds it; and each fault is IMAGE_PUSH_FAILED naming the
// registry, the repository and the cause: wrong password (401), no credentials, a repository refused
// (403 from a proxy), a size refused (413), a registry that is down, a transient 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageRegistry } from '../../../electron/adapters/registry/image-registry.js';
import { isTransientPushError } from '../../../electron/core/ports/image-registry.js';
import { docker, requireDocker, skipDocker } from '../../support/docker-engine.js';
import { type TestRegistry, dockerConfigWith, freePort, requireRegistry, skipRegistry, makeTestImages, startRegistry, startRegistryProxy } from '../../support/registry.js';

const run = Math.random().toString(36).slice(2, 8);
const USER = { username: 'convoy', password: `pw-${run}-secret` };
let registry: TestRegistry;
let images: Awaited<ReturnType<typeof makeTestImages>>;
const configs: Array<{ remove(): void }> = [];
const remembered: string[] = [];

function adapter(auths: Record<string, { username: string; password: string }>) {
  const config = dockerConfigWith(auths);
  configs.push(config);
  return createImageRegistry({ env: { ...process.env, DOCKER_CONFIG: config.dir }, remember: (s) => remembered.push(...s) });
}

async function failure(promise: Promise<unknown>) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e as Error & { code?: string },
  );
  expect(err).not.toBeNull();
  return err!;
}

describe.skipIf(skipDocker || skipRegistry)('registry adapter on a real distribution registry', () => {
  beforeAll(async () => {
    requireDocker();
    requireRegistry();
    registry = await startRegistry({ auth: USER });
    images = await makeTestImages(docker, [`convoy-it/registry-${run}:v1`], run);
  });
  afterAll(async () => {
    await images?.remove();
    await registry?.stop();
    for (const c of configs) c.remove();
  });

  it('pushes with the Docker client credentials, answers the stored digest, and finds it again', async () => {
    const port = adapter({ [registry.host]: USER });
    await port.check(registry.host);
    const repository = `${registry.host}/team/convoy-it/registry-${run}`;
    const layers: string[] = [];
    const { digest } = await port.push(images.images[0]!, repository, 'v1', { onProgress: (p) => layers.push(`${p.layer} ${p.status}`) });
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(registry.holds(`${repository}@${digest}`)).toBe(true);
    expect(layers.some((l) => /Pushed|already exists/.test(l))).toBe(true);
    expect(await port.knownDigests(images.images[0]!)).toContain(digest);
    expect(await port.hasManifest(repository, digest)).toBe(true);
    expect(await port.hasManifest(repository, `sha256:${'0'.repeat(64)}`)).toBe(false);
    // The password and its base64 form joined the redactor.
    expect(remembered).toContain(USER.password);
  });

  it('a wrong password is a 401 naming the registry and what to do, at check and at push', async () => {
    const port = adapter({ [registry.host]: { username: USER.username, password: 'wrong-password' } });
    const checked = await failure(port.check(registry.host));
    expect(checked.code).toBe('IMAGE_PUSH_FAILED');
    expect(checked.message).toContain(`registry ${registry.host} refused the credentials`);
    expect(checked.message).toContain(`docker login ${registry.host}`);
    const pushed = await failure(port.push(images.images[0]!, `${registry.host}/team/wrong-${run}`, 'v1'));
    expect(pushed.message).toMatch(new RegExp(`push of ${registry.host}/team/wrong-${run} to registry ${registry.host} failed: .*401`));
    expect(isTransientPushError(pushed)).toBe(false);
  });

  it('no credentials for a registry that requires them says so before any push', async () => {
    const err = await failure(adapter({}).check(registry.host));
    expect(err.message).toBe(`registry ${registry.host} requires credentials and Docker has none for it; run docker login ${registry.host}`);
  });

  it('a refused repository (403) and a refused size (413) are clear, not retried', async () => {
    // On the manifest: the engine retries a refused layer upload for a minute before it gives up.
    const proxy = await startRegistryProxy(registry.host, ({ method, path }) => {
      if (method === 'PUT' && path.includes('/locked-') && path.includes('/manifests/')) return { status: 403, body: JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }) };
      if (method === 'PUT' && path.includes('/huge-') && path.includes('/manifests/')) return { status: 413, body: 'Request Entity Too Large', headers: { 'Content-Type': 'text/plain' } };
      return null;
    });
    try {
      const port = adapter({ [proxy.host]: USER });
      const denied = await failure(port.push(images.images[0]!, `${proxy.host}/team/locked-${run}`, 'v1'));
      expect(denied.message).toContain(`push of ${proxy.host}/team/locked-${run} to registry ${proxy.host} failed: the registry refused this repository`);
      expect(denied.message).toContain('403');
      expect(isTransientPushError(denied)).toBe(false);
      const huge = await failure(port.push(images.images[0]!, `${proxy.host}/team/huge-${run}`, 'v1'));
      expect(huge.message).toContain('refused the size');
      expect(isTransientPushError(huge)).toBe(false);
    } finally {
      await proxy.stop();
    }
  });

  it('a registry that is down is unreachable, named', async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const err = await failure(adapter({}).check(host));
    expect(err.message).toContain(`registry ${host} is unreachable`);
  });

  it('a 500 on the manifest is transient; the next attempt succeeds', async () => {
    let failed = 0;
    const proxy = await startRegistryProxy(registry.host, ({ method, path }) => (method === 'PUT' && path.includes('/manifests/') && failed++ === 0 ? { status: 500 } : null));
    try {
      const port = adapter({ [proxy.host]: USER });
      const repository = `${proxy.host}/team/flaky-${run}`;
      const first = await failure(port.push(images.images[0]!, repository, 'v1'));
      expect(isTransientPushError(first)).toBe(true);
      expect(first.message).toContain('500');
      const { digest } = await port.push(images.images[0]!, repository, 'v1');
      expect(registry.holds(`${registry.host}/team/flaky-${run}@${digest}`)).toBe(true);
    } finally {
      await proxy.stop();
    }
  });
});
