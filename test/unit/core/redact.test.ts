import { describe, expect, it } from 'vitest';
import { REDACTED, createLineSplitter, createRedactor } from '../../../electron/core/redact.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * The test's own oracle, independent of secretForms: every run of base64 characters (either alphabet)
 * left in a line, decoded from each of its first four characters, must not contain the secret's bytes.
 */
function decodesToSecret(line: string, secret: string): boolean {
  const wanted = Buffer.from(secret);
  for (const run of line.match(/[A-Za-z0-9+/_-]+/g) ?? []) {
    const standard = run.replace(/-/g, '+').replace(/_/g, '/');
    for (let start = 0; start < 4; start++) {
      if (Buffer.from(standard.slice(start), 'base64').includes(wanted)) return true;
    }
  }
  return false;
}

describe('createRedactor', () => {
  const secret = 's3cr3t-Tok3n/with+chars';
  const redact = createRedactor([secret]);

  it('hides the plain value wherever it appears in a line', () => {
    expect(redact(`token=${secret}; again ${secret}`)).toBe(`token=${REDACTED}; again ${REDACTED}`);
  });

  it('hides the base64 encoding, with and without padding and in the URL-safe alphabet', () => {
    const encoded = b64(secret);
    expect(redact(`echo ${encoded}`)).not.toContain(encoded.replace(/=+$/, ''));
    const urlSafe = Buffer.from(secret).toString('base64url');
    expect(redact(urlSafe)).toBe(REDACTED);
  });

  it('hides the secret inside a larger base64 blob at every byte alignment, in both alphabets', () => {
    // '?', '>' and '~' make the encodings contain '/' and '+' (so '_' and '-' in the URL-safe alphabet).
    const secret = 's3cr3t?Tok3n>with~chars??~~~>>>';
    const redact = createRedactor([secret]);
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:']) {
      for (const suffix of ['', '\n', 'xy']) {
        const bytes = Buffer.from(`${prefix}${secret}${suffix}`);
        for (const encoding of ['base64', 'base64url'] as const) {
          const line = redact(`Authorization: Basic ${bytes.toString(encoding)}`);
          expect(line).toContain(REDACTED);
          // Whatever survives, decoded at any start, no longer yields the secret.
          expect(decodesToSecret(line, secret)).toBe(false);
        }
      }
    }
  });

  it('the oracle above sees a secret that was not hidden, in either alphabet', () => {
    const secret = 's3cr3t?Tok3n>with~chars??~~~>>>';
    for (const prefix of ['', 'a', 'ab']) {
      const blob = Buffer.from(`${prefix}${secret}xy`);
      expect(blob.toString('base64url')).toMatch(/[-_].*[-_]/); // the URL-safe case differs from the standard one
      expect(decodesToSecret(blob.toString('base64'), secret)).toBe(true);
      expect(decodesToSecret(blob.toString('base64url'), secret)).toBe(true);
    }
  });

  it('hides each line of a multi-line secret (a PEM key printed line by line)', () => {
    const key = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END KEY-----';
    const r = createRedactor([key]);
    expect(r('MIIBOgIBAAJBAKj34GkxFhD9')).toBe(REDACTED);
  });

  it('leaves lines without secrets, and very short values, alone', () => {
    expect(redact('nothing to see')).toBe('nothing to see');
    const short = createRedactor(['ab', '']);
    expect(short('ab ab')).toBe('ab ab');
  });

  it('treats regex characters in secrets literally', () => {
    const r = createRedactor(['a.b*c(d)']);
    expect(r('aXbbc(d) a.b*c(d)')).toBe(`aXbbc(d) ${REDACTED}`);
  });
});

describe('createLineSplitter', () => {
  it('reassembles lines cut across chunks so a split secret is still redacted', () => {
    const redact = createRedactor(['hunter2-secret']);
    const split = createLineSplitter();
    const lines = [...split.push('first hun'), ...split.push('ter2-secret line\nsecond'), ...split.end()];
    expect(lines.map(redact)).toEqual([`first ${REDACTED} line`, 'second']);
  });

  it('treats \\r\\n split across chunks as one line break', () => {
    const split = createLineSplitter();
    const lines = [...split.push('a\r'), ...split.push('\nb\rc\n'), ...split.end()];
    expect(lines).toEqual(['a', 'b', 'c']);
  });
});
