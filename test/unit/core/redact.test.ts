import { describe, expect, it } from 'vitest';
import { REDACTED, createLineSplitter, createRedactionGate, createRedactor, secretForms } from '../../../electron/core/redact.js';

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

// Boundaries the mutation run (docs/mutation.md) found unpinned: each case fails with one mutant applied.
describe('createRedactor boundaries', () => {
  it('hides a secret of exactly four characters, and nothing at all for a shorter one (not even its hex form)', () => {
    expect(createRedactor(['abcd'])('x abcd y')).toBe(`x ${REDACTED} y`);
    // '6162' is the hex form of 'ab': a value too short to be a secret has no forms at all.
    expect(createRedactor(['ab'])('6162 ab 4142')).toBe('6162 ab 4142');
    expect(secretForms('abc')).toEqual([]);
  });

  it('hides a line of a multi-line secret on its own only from 8 characters on, trimmed', () => {
    const secret = 'first-line-of-key\n  abcdef  \nABCDEFGH\n   indented-line-9';
    const r = createRedactor([secret]);
    expect(r('abcdef')).toBe('abcdef'); // 6 characters once trimmed: too common to hide alone
    expect(r('ABCDEFGH')).toBe(REDACTED);
    expect(r('indented-line-9')).toBe(REDACTED);
  });

  it('hides the URL-encoded form written with lower-case escapes too', () => {
    const r = createRedactor(['pass/word:key']);
    expect(r('u=pass%2Fword%3Akey')).toBe(`u=${REDACTED}`);
    expect(r('u=pass%2fword%3akey')).toBe(`u=${REDACTED}`);
  });

  it('hides a six-byte secret inside a larger base64 blob at any alignment', () => {
    const r = createRedactor(['s3cr3t']);
    for (const prefix of ['a', 'ab', 'abc']) {
      const line = r(Buffer.from(`${prefix}s3cr3tyz`).toString('base64'));
      expect(line).toContain(REDACTED);
      expect(decodesToSecret(line, 's3cr3t')).toBe(false);
    }
  });
});

describe('createLineSplitter boundaries', () => {
  it('keeps the whole line before a carriage return held at the end of a chunk', () => {
    const split = createLineSplitter();
    expect([...split.push('abc\r'), ...split.push('\nd'), ...split.end()]).toEqual(['abc', 'd']);
  });

  it('ends the last line at a trailing carriage return, and a second end returns nothing', () => {
    const split = createLineSplitter();
    expect(split.push('last\r')).toEqual([]);
    expect(split.end()).toEqual(['last']);
    expect(split.end()).toEqual([]);
  });
});

describe('createRedactionGate boundaries', () => {
  it('a gate without secrets changes no ordinary text', () => {
    // The third line is the placeholder Stryker writes into mutated string and array literals.
    const lines = ['build ok', 'deploying api', 'Stryker was here', 'Stryker was here!'];
    for (const gate of [createRedactionGate(), createRedactionGate([])]) {
      expect(lines.map((line) => gate.text(line))).toEqual(lines);
    }
  });

  it('learns a secret of exactly four characters, at creation and later', () => {
    const gate = createRedactionGate(['abcd']);
    expect(gate.text('abcd!')).toBe(`${REDACTED}!`);
    gate.add(['wxyz']);
    expect(gate.text('wxyz abcd')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('value() walks plain objects only: dates and maps are passed through as they are', () => {
    const gate = createRedactionGate(['s3cr3t-value']);
    const when = new Date(0);
    const map = new Map([['k', 'v']]);
    const out = gate.value({ when, map, note: 's3cr3t-value' });
    expect(out.when).toBe(when);
    expect(out.map).toBe(map);
    expect(out.note).toBe(REDACTED);
  });
});
