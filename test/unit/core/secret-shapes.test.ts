// Secrets recognised by shape (electron/core/secret-shapes.ts): which URL passwords and Authorization
// values count as credentials, what is masked, and when an environment variable is a secret. Written
// for the survivors of the mutation run (docs/mutation.md): each case pins one rule.
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_MASK, credentialsIn, isSecretEnv, maskCredentials } from '../../../electron/core/secret-shapes.js';

// "user:pass" in standard base64, as a Basic Authorization value carries it.
const BASIC = Buffer.from('user:pass').toString('base64');

describe('credentialsIn', () => {
  it('lists a URL password once when it is plain, and also decoded when it is percent-encoded', () => {
    expect(credentialsIn('postgres://app:plainpw@db:5432/x')).toEqual(['plainpw']);
    expect(credentialsIn('postgres://app:s3cr%40t@db/x')).toEqual(['s3cr%40t', 's3cr@t']);
  });

  it('takes any Bearer value, and a Basic value only when it decodes to user:password', () => {
    expect(credentialsIn('Authorization: Bearer abc.def-ghi_123')).toEqual(['abc.def-ghi_123']);
    expect(credentialsIn(`Authorization: Basic ${BASIC}`)).toEqual([BASIC]);
    // Base64-shaped but no colon once decoded: prose, not a credential.
    expect(credentialsIn('see the Basic setupguide first')).toEqual([]);
    // Base64 letters, but a length no decoder accepts (9 characters).
    expect(credentialsIn('Basic abcdefghi')).toEqual([]);
    // Not base64 at all (a colon, unencoded).
    expect(credentialsIn('Basic user:password')).toEqual([]);
  });

  it('never lists the mask itself (text that was already redacted)', () => {
    expect(credentialsIn(`postgres://app:${CREDENTIAL_MASK}@db/x`)).toEqual([]);
    const masked = maskCredentials(`postgres://app:pw1234@db/x Bearer abcdefgh1234 Basic ${BASIC}`);
    expect(masked).toBe(`postgres://app:${CREDENTIAL_MASK}@db/x Bearer ${CREDENTIAL_MASK} Basic ${CREDENTIAL_MASK}`);
    expect(credentialsIn(masked)).toEqual([]);
  });
});

describe('maskCredentials', () => {
  it('leaves a Basic value that is not a credential as it was', () => {
    expect(maskCredentials('the Basic setupguide, Basic abcdefghi')).toBe('the Basic setupguide, Basic abcdefghi');
  });
});

describe('isSecretEnv', () => {
  it('is a secret when the value is exactly a declared secret, however short', () => {
    expect(isSecretEnv('PLAIN', 'abc', new Set(['abc']))).toBe(true);
    expect(isSecretEnv('PLAIN', 'abcd', new Set(['abc']))).toBe(false);
  });

  it('is a secret when the value contains a declared secret of 4 characters or more, not a shorter one', () => {
    expect(isSecretEnv('PLAIN', 'xxabcdxx', new Set(['abcd']))).toBe(true);
    expect(isSecretEnv('PLAIN', 'xxabcxx', new Set(['abc']))).toBe(false);
    expect(isSecretEnv('PLAIN', 'nothing here', new Set(['abcd']))).toBe(false);
  });

  it('is a secret by name or by the credentials its value carries', () => {
    expect(isSecretEnv('DB_PASSWORD', 'x')).toBe(true);
    expect(isSecretEnv('DATABASE_URL', 'postgres://app:pw@db/x')).toBe(true);
    expect(isSecretEnv('GREETING', 'hello')).toBe(false);
  });
});
