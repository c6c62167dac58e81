// resolveValue (config-values.ts) in the cases the mutation run (docs/mutation.md) found unpinned: when a
// value counts as secret, an empty variable taking the default, the default error code, and a
// { value } entry without a value.
import { describe, expect, it } from 'vitest';
import { resolveValue, resolveValues } from '../../../electron/core/config-values.js';

describe('resolveValue', () => {
  it('a value read from the environment is secret only when marked so or named secret', () => {
    expect(resolveValue({ fromEnv: 'MODE' }, { MODE: 'prod' }, 'api env MODE')).toEqual({ value: 'prod', secret: false });
    expect(resolveValue({ fromEnv: 'MODE', secret: true }, { MODE: 'prod' }, 'api env MODE')).toEqual({ value: 'prod', secret: true });
    expect(resolveValue({ fromEnv: 'TOKEN' }, { TOKEN: 'tok' }, 'api env T', 'CONFIG_INVALID', new Set(['TOKEN']))).toEqual({ value: 'tok', secret: true });
  });

  it('an empty variable takes the default, and a set one does not', () => {
    expect(resolveValue('x-${LEVEL:-info}', { LEVEL: '' }, 'api env L')).toEqual({ value: 'x-info', secret: false });
    expect(resolveValue('x-${LEVEL:-info}', { LEVEL: 'debug' }, 'api env L')).toEqual({ value: 'x-debug', secret: false });
  });

  it('refuses an unset reference with CONFIG_INVALID unless told another code', () => {
    expect(() => resolveValue('${NOPE}', {}, 'api env X')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => resolveValue({ fromEnv: 'NOPE' }, {}, 'api env X')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => resolveValues({ X: '${NOPE}' }, {}, (key) => `api env ${key}`)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^api env X references/) }));
  });

  it('a { value } entry without a value is empty, and stays secret when marked', () => {
    expect(resolveValue({ secret: true } as never, {}, 'api env X')).toEqual({ value: '', secret: true });
  });
});
