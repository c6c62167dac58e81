import { describe, expect, it } from 'vitest';
import { assertRepository, repositoryProblem } from '../../../electron/adapters/docker/image-name.js';
import { ConvoyError } from '../../../shared/errors.js';

describe('repositoryProblem (Docker reference grammar, repository only)', () => {
  it.each([
    'shop/orders-api',
    'busybox',
    'a/b/c',
    'my_org/web.app',
    'org/a__b',
    'org/a---b',
    'localhost/shop/x',
    'localhost:5000/shop/x',
    'registry.example.com/team/svc',
    'registry.example.com:443/svc',
    '127.0.0.1:5000/x',
    '[::1]:5000/x',
    'Registry.Example.com/x',
  ])('accepts %s', (name) => {
    expect(repositoryProblem(name)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['Shop/Bad Name', /whitespace/],
    ['Shop/x', /"Shop" must be lowercase/],
    ['shop/Orders', /"Orders" must be lowercase/],
    ['shop/orders:1.0', /tag/],
    ['shop/orders@sha256:abc', /digest/],
    ['/shop', /empty path component/],
    ['shop/', /empty path component/],
    ['shop//x', /empty path component/],
    ['shop/-x', /a-z, 0-9/],
    ['shop/x-', /a-z, 0-9/],
    ['shop/a...b', /a-z, 0-9/],
    ['shop/a___b', /a-z, 0-9/],
    ['shop/a.-b', /a-z, 0-9/],
    ['bad_host.com:xx/x', /registry host/],
    ['-bad.example.com/x', /registry host/],
    [`x/${'a'.repeat(260)}`, /longer than 255/],
  ])('refuses %s', (name, reason) => {
    expect(repositoryProblem(name)).toMatch(reason);
  });

  it('throws IMAGE_NAME_INVALID naming the project and the repository', () => {
    let caught: unknown;
    try {
      assertRepository('Shop/Bad Name', 'orders-api');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConvoyError);
    expect((caught as ConvoyError).code).toBe('IMAGE_NAME_INVALID');
    expect((caught as ConvoyError).message).toContain('"Shop/Bad Name"');
    expect((caught as ConvoyError).message).toContain('orders-api');
  });
});
