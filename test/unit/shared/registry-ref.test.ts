// convoy.yaml's `registry: host[:port]/prefix` (shared/registry-ref.ts): what parses, what each bad
// reference is told, and the references a cluster pulls.
import { describe, expect, it } from 'vitest';
import { WorkspaceConfig } from '../../../shared/config.js';
import { parseRegistryRef, registryRefProblem, registryRepository, splitDigestReference } from '../../../shared/registry-ref.js';

describe('registry references', () => {
  it.each([
    ['registry.example.com/shop', { host: 'registry.example.com', prefix: 'shop' }],
    ['127.0.0.1:5000/convoy/team-a', { host: '127.0.0.1:5000', prefix: 'convoy/team-a' }],
    ['localhost/x', { host: 'localhost', prefix: 'x' }],
    ['ghcr.io', { host: 'ghcr.io', prefix: '' }],
  ])('%s parses', (text, ref) => {
    expect(registryRefProblem(text)).toBeNull();
    expect(parseRegistryRef(text)).toEqual(ref);
  });

  it.each([
    ['https://registry.example.com/shop', 'has a scheme; write it without one, e.g. registry.example.com/shop'],
    ['myteam/images', 'starts with "myteam", which Docker would read as a Docker Hub path'],
    ['registry.example.com:99999/shop', 'has port "99999", not a number from 1 to 65535'],
    ['registry.example.com/Shop', 'has prefix component "Shop"'],
    ['registry.example.com/shop:v1', 'names a tag or digest'],
    ['registry.example.com/shop@sha256:abc', 'names a tag or digest'],
    ['reg_istry.example.com/shop', 'is not a host name or IPv4 address'],
    ['', 'is empty'],
  ])('%s is refused: %s', (text, problem) => {
    expect(registryRefProblem(text)).toContain(problem);
  });

  it('convoy.yaml reports a bad registry with the environment and the reason', () => {
    const parsed = WorkspaceConfig.safeParse({ environments: [{ name: 'staging', target: { kind: 'kubernetes', context: 'c', namespace: 'shop' }, registry: 'myteam/images' }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['environments', 0, 'registry'], message: expect.stringContaining('registry "myteam/images" starts with "myteam"') });
    expect(WorkspaceConfig.parse({ environments: [{ name: 'local', target: { kind: 'docker' } }] }).environments[0]!.registry).toBeUndefined();
  });

  it('names the repository and splits a digest reference', () => {
    expect(registryRepository({ host: '127.0.0.1:5000', prefix: 'convoy' }, 'shop/orders-api')).toBe('127.0.0.1:5000/convoy/shop/orders-api');
    expect(registryRepository({ host: 'ghcr.io', prefix: '' }, 'shop/orders-api')).toBe('ghcr.io/shop/orders-api');
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(splitDigestReference(`127.0.0.1:5000/convoy/shop/orders-api@${digest}`)).toEqual({ host: '127.0.0.1:5000', path: 'convoy/shop/orders-api', digest });
    expect(splitDigestReference('shop/orders-api:v1')).toBeNull();
  });
});
