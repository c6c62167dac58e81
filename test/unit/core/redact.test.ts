import { describe, expect, it } from 'vitest';
import { REDACTED, createLineSplitter, createRedactor, secretForms } from '../../../electron/core/redact.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

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

  it('hides the secret inside a larger base64 blob at every byte alignment', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:']) {
      for (const suffix of ['', '\n', 'xy']) {
        const blob = b64(`${prefix}${secret}${suffix}`);
        const line = redact(`Authorization: Basic ${blob}`);
        expect(line).toContain(REDACTED);
        // No 8-character run of the secret's own encoding survives.
        const core = secretForms(secret).filter((form) => form.length >= 8);
        for (const form of core) expect(line).not.toContain(form);
      }
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
