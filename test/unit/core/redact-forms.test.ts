// Exactly which strings the redactor hides for a secret, written out by hand (base64 and hex values
// computed once with Buffer and pasted here): the other redaction tests check that a secret does not
// survive, which a form that hides a little more or a little less than it should still passes. Each
// case fails with one of the full mutation run's survivors in redact.ts applied by hand.
import { describe, expect, it } from 'vitest';
import { REDACTED, createRedactionGate, createRedactor } from '../../../electron/core/redact.js';

describe('createRedactor: the whole base64 encoding', () => {
  it('hides a padded encoding as a whole, padding included', () => {
    // 'abcd' is 4 bytes: its encoding ends in one byte and "==" ('YWJjZA==').
    expect(createRedactor(['abcd'])('auth YWJjZA== end')).toBe(`auth ${REDACTED} end`);
  });

  it('hides the encoding without its padding (as in JWTs and base64url)', () => {
    expect(createRedactor(['abcd'])('auth YWJjZA end')).toBe(`auth ${REDACTED} end`);
  });

  it('hides only the encoding: what follows an unpadded encoding stays', () => {
    // 's3cr3t' is 6 bytes, 'czNjcjN0' with no padding; the 'AA' after it is not part of it.
    expect(createRedactor(['s3cr3t'])('czNjcjN0AA')).toBe(`${REDACTED}AA`);
  });

  it('hides the URL-safe encoding: "-" for "+" and "_" for "/"', () => {
    // '~~~?' is 'fn5+Pw==' (URL-safe 'fn5-Pw'); '?~?~' is 'P34/fg==' (URL-safe 'P34_fg').
    const r = createRedactor(['~~~?', '?~?~']);
    expect(r('a=fn5-Pw b=P34_fg')).toBe(`a=${REDACTED} b=${REDACTED}`);
  });
});

describe('createRedactor: fragments inside a larger base64 blob', () => {
  it('hides exactly the characters that depend on the secret alone, at offset 1', () => {
    // base64('x' + 's3cr3t-value' + 'yz') = 'eHMzY3IzdC12YWx1ZXl6'. Characters 0–1 carry bits of the 'x',
    // characters 17–19 bits of 'yz' (17 mixes the secret's last byte with 'y'); 2–16 are the secret's own.
    expect(createRedactor(['s3cr3t-value'])('eHMzY3IzdC12YWx1ZXl6')).toBe(`eH${REDACTED}Xl6`);
  });

  it('does not look for the fragments of a secret shorter than 6 bytes (too common)', () => {
    // base64('x' + 'abcde' + 'yz') = 'eGFiY2RleXo='. A 5-byte secret's fragments are 4 to 5 characters
    // long and would match unrelated base64; only its own encodings ('YWJjZGU=') are hidden.
    expect(createRedactor(['abcde'])('eGFiY2RleXo=')).toBe('eGFiY2RleXo=');
  });
});

describe('createRedactor: hex and form-encoded forms', () => {
  it('hides the hex form in lower and in upper case', () => {
    // 'open' is 6f70656e.
    expect(createRedactor(['open'])('x 6f70656e 6F70656E')).toBe(`x ${REDACTED} ${REDACTED}`);
  });

  it('writes each byte as two hex digits, a byte under 0x10 too', () => {
    // 'tab\there': the tab is 09, so the hex form is 7461620968657265.
    expect(createRedactor(['tab\there'])('7461620968657265')).toBe(REDACTED);
  });

  it('hides the form-encoded value, where a space is "+"', () => {
    expect(createRedactor(['open sesame'])('pw=open+sesame&x=1')).toBe(`pw=${REDACTED}&x=1`);
  });
});

describe('createRedactor: longest form first', () => {
  it('hides the longer of two secrets whole when the shorter is its start, in either order', () => {
    for (const secrets of [['abcd', 'abcdefgh'], ['abcdefgh', 'abcd']]) {
      expect(createRedactor(secrets)('key abcdefgh')).toBe(`key ${REDACTED}`);
    }
  });
});

describe('createRedactor: a secret that is not well-formed UTF-16', () => {
  it('hides a secret holding a lone surrogate (it has no URL form) instead of throwing', () => {
    // encodeURIComponent throws URIError on a lone surrogate; creating the gate used to throw with it.
    const secret = 'abc\uD800def';
    expect(createRedactor([secret])(`x ${secret} y`)).toBe(`x ${REDACTED} y`);
    expect(createRedactionGate([secret]).text(secret)).toBe(REDACTED);
  });
});
