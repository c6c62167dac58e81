// Boundaries of registry references (shared/registry-ref.ts) that the mutation run (docs/mutation.md)
// found unpinned: the length limit, the port range, hosts that are empty or have two colons, where a
// scheme or tag may appear, and what splitDigestReference accepts.
import { describe, expect, it } from 'vitest';
import { parseRegistryRef, registryRefProblem, splitDigestReference } from '../../../shared/registry-ref.js';

const DIGEST = 'sha256:' + 'a'.repeat(64);

describe('registryRefProblem boundaries', () => {
  it('takes 255 characters and refuses 256', () => {
    const at = (length: number) => 'registry.example.com/' + 'a'.repeat(length - 'registry.example.com/'.length);
    expect(registryRefProblem(at(255))).toBeNull();
    expect(registryRefProblem(at(256))).toBe('is longer than 255 characters');
  });

  it('takes ports 1 and 65535, refuses 0, 65536, six digits and a port with letters', () => {
    expect(registryRefProblem('localhost:1/shop')).toBeNull();
    expect(registryRefProblem('registry:5000/shop')).toBeNull(); // a port makes a dotless host a registry
    expect(registryRefProblem('localhost:65535/shop')).toBeNull();
    expect(registryRefProblem('localhost:0/shop')).toBe('has port "0", not a number from 1 to 65535');
    expect(registryRefProblem('localhost:65536/shop')).toBe('has port "65536", not a number from 1 to 65535');
    expect(registryRefProblem('localhost:000080/shop')).toBe('has port "000080", not a number from 1 to 65535');
    expect(registryRefProblem('localhost:x5000/shop')).toBe('has port "x5000", not a number from 1 to 65535');
    expect(registryRefProblem('localhost:5000x/shop')).toBe('has port "5000x", not a number from 1 to 65535');
  });

  it('refuses an empty host and a host with two colons, naming it', () => {
    expect(registryRefProblem(':5000/shop')).toBe('has no valid host in ":5000"; write host[:port]/prefix');
    expect(registryRefProblem('a:1:2/shop')).toBe('has no valid host in "a:1:2"; write host[:port]/prefix');
  });

  it('reads a scheme only at the start, and a tag only after the host', () => {
    expect(registryRefProblem('registry.example.com/shop')).toBeNull();
    expect(registryRefProblem('https://registry.example.com/shop')).toMatch(/^has a scheme/);
    expect(registryRefProblem('registry.example.com/a-http://x')).not.toMatch(/^has a scheme/);
    expect(registryRefProblem('registry.example.com:5000/shop/team')).toBeNull();
    expect(registryRefProblem('registry.example.com/shop/team:v1')).toMatch(/^names a tag or digest/);
    // a colon inside the prefix is no tag: it is refused as a bad prefix component instead
    expect(registryRefProblem('registry.example.com/shop:v1/team')).toMatch(/^has prefix component "shop:v1"/);
  });

  it('parseRegistryRef names the reference and the problem', () => {
    expect(() => parseRegistryRef(':5000/shop')).toThrow('registry ":5000/shop" has no valid host in ":5000"; write host[:port]/prefix');
    expect(parseRegistryRef('localhost:5000/a/b')).toEqual({ host: 'localhost:5000', prefix: 'a/b' });
  });
});

describe('splitDigestReference', () => {
  it('splits host, path and digest', () => {
    expect(splitDigestReference(`localhost:5000/shop/api@${DIGEST}`)).toEqual({ host: 'localhost:5000', path: 'shop/api', digest: DIGEST });
  });

  it('refuses a reference without a digest, with a digest that is not exactly sha256 and 64 hex digits, or without a host', () => {
    expect(splitDigestReference('localhost:5000/shop/api:1')).toBeNull();
    expect(splitDigestReference(`localhost:5000/shop/api@x${DIGEST}`)).toBeNull();
    expect(splitDigestReference(`localhost:5000/shop/api@${DIGEST}0`)).toBeNull();
    expect(splitDigestReference(`api@${DIGEST}`)).toBeNull();
    expect(splitDigestReference(`@${DIGEST}`)).toBeNull();
    expect(splitDigestReference(`/api@${DIGEST}`)).toEqual({ host: '', path: 'api', digest: DIGEST });
  });
});
