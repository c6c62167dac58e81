// The redactor against an oracle that only decodes: a random secret sits at a random offset inside a
// random blob, the blob is written in standard base64, URL-safe base64 or hex, the line is cut into
// random chunks and reassembled by the line splitter, and then nothing left in the output — plain, or
// decoded from any starting character — may contain the secret.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createLineSplitter, createRedactor, MIN_SECRET_LENGTH, REDACTED } from '../../electron/core/redact.js';

/** Whether any base64 run (either alphabet) or hex run left in `text`, decoded from any start, holds the secret. */
function decodesToSecret(text: string, secret: Buffer): boolean {
  for (const run of text.match(/[A-Za-z0-9+/_-]+/g) ?? []) {
    const standard = run.replace(/-/g, '+').replace(/_/g, '/');
    for (let start = 0; start < 4; start++) if (Buffer.from(standard.slice(start), 'base64').includes(secret)) return true;
  }
  for (const run of text.match(/[0-9a-fA-F]+/g) ?? []) {
    for (let start = 0; start < 2; start++) if (Buffer.from(run.slice(start), 'hex').includes(secret)) return true;
  }
  return false;
}

function encode(bytes: Buffer, encoding: 'base64' | 'base64url' | 'hex' | 'HEX'): string {
  return encoding === 'HEX' ? bytes.toString('hex').toUpperCase() : bytes.toString(encoding);
}

/** Feeds `text` to a line splitter in chunks cut at `cuts`, redacting each whole line as it comes. */
function redactStream(text: string, cuts: readonly number[], redact: (line: string) => string): string {
  const splitter = createLineSplitter();
  const lines: string[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
    lines.push(...splitter.push(text.slice(from, cut)));
    from = cut;
  }
  lines.push(...splitter.push(text.slice(from)), ...splitter.end());
  return lines.map(redact).join('\n');
}

// Secrets of 6 bytes or more (and at least MIN_SECRET_LENGTH characters, below which nothing is a
// secret): below 6 bytes the redactor hides a secret's own encodings but not its fragments inside
// larger blobs (a 4-character fragment would match everywhere).
const secrets = fc
  .oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: 6, maxLength: 32 }),
    fc.string({ unit: 'grapheme', minLength: 2, maxLength: 16 }).filter((s) => Buffer.byteLength(s) >= 6),
  )
  .filter((s) => s.length >= MIN_SECRET_LENGTH && !/[\r\n]/.test(s) && s.trim() === s);

describe('createRedactor (property)', () => {
  test.prop([
    secrets,
    fc.uint8Array({ maxLength: 24 }),
    fc.uint8Array({ maxLength: 24 }),
    fc.constantFrom('base64' as const, 'base64url' as const, 'hex' as const, 'HEX' as const),
    fc.array(fc.nat(), { maxLength: 6 }),
    fc.constantFrom('', 'data: ', 'Authorization: Basic ', 'value="'),
  ])('a secret inside a random blob, in any encoding, split across chunks, never survives', (secret, before, after, encoding, cuts, label) => {
    const bytes = Buffer.from(secret);
    const blob = encode(Buffer.concat([before, bytes, after]), encoding);
    const output = redactStream(`first line\n${label}${blob} tail\nlast`, cuts, createRedactor([secret]));
    expect(output).toContain(REDACTED);
    expect(output).not.toContain(secret);
    expect(decodesToSecret(output, bytes)).toBe(false);
  });

  test.prop([secrets, fc.string({ maxLength: 40 }), fc.array(fc.nat(), { maxLength: 6 })])(
    'a plain secret between random text, split across chunks, never survives',
    (secret, around, cuts) => {
      const text = `${around}${secret}${around}`;
      const output = redactStream(text, cuts, createRedactor([secret]));
      expect(output).not.toContain(secret);
    },
  );
});
