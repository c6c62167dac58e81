// Keeps secrets out of every log line Convoy stores or shows. The redactor is seeded with the values
// Convoy knows to be secret (config values marked secret, registry auth, kubeconfig tokens and client
// keys) and also hides their base64 forms: the whole encoding, and — for longer secrets — the part of
// the encoding that stays the same wherever the secret sits inside a larger base64 blob (one for each
// of the three byte alignments). Their hex forms (lower and upper case) are hidden too: a secret inside
// a hex dump sits on a byte boundary, so its own hex string appears as it is. Multi-line secrets (PEM
// keys) are also hidden line by line.
//
// Beyond the declared secrets, every text also loses what looks like a credential by its shape (URL
// passwords, Bearer/Basic values: secret-shapes.ts), and the URL-encoded form of each secret is hidden
// as well (a password inside a URL is percent-encoded).
//
// Redaction works on whole lines: callers split streams into lines first, so a secret cut across two
// chunks is still found.

import { maskCredentials } from './secret-shapes.js';

export const REDACTED = '[redacted]';

/** Shorter values are not treated as secrets: hiding "a" or "on" would shred every log line. */
export const MIN_SECRET_LENGTH = 4;
/** Alignment-independent base64 fragments are used from this secret length on (shorter ones are too common). */
const MIN_FRAGMENT_SECRET_BYTES = 6;

export type Redactor = (line: string) => string;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/**
 * The base64 characters that depend only on the secret's bytes when it is preceded by `offset` other
 * bytes (0, 1 or 2) — present in the encoding of any blob that contains the secret at that alignment.
 */
function alignedFragment(bytes: Uint8Array, offset: number): string {
  const padded = new Uint8Array(offset + bytes.length);
  padded.set(bytes, offset);
  const encoded = base64(padded);
  const last = offset + bytes.length - 1;
  let fragment = '';
  for (let i = 0; i * 6 < padded.length * 8; i++) {
    const firstByte = Math.floor((6 * i) / 8);
    const lastByte = Math.floor((6 * i + 5) / 8);
    if (firstByte >= offset && lastByte <= last) fragment += encoded[i];
  }
  return fragment;
}

/**
 * encodeURIComponent, or null for a value it throws on: a lone UTF-16 surrogate (possible in a YAML
 * "\uD800" escape) has no URL form, and must not stop the redactor from hiding the value's other forms.
 */
function urlEncode(value: string): string | null {
  try {
    return encodeURIComponent(value);
  } catch {
    return null;
  }
}

/** Every string that must not appear in a log for this secret. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>();
  const add = (value: string) => {
    if (value.length >= MIN_SECRET_LENGTH) forms.add(value);
  };
  if (secret.length < MIN_SECRET_LENGTH) return [];
  add(secret);
  for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 8) add(line.trim());
  const urlEncoded = urlEncode(secret);
  if (urlEncoded !== null) {
    add(urlEncoded);
    add(urlEncoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    add(urlEncoded.replace(/%20/g, '+'));
  }
  const bytes = new TextEncoder().encode(secret);
  const hexForm = hex(bytes);
  add(hexForm);
  add(hexForm.toUpperCase());
  const whole = base64(bytes);
  for (const encoded of [whole, whole.replace(/=+$/, '')]) {
    add(encoded);
    add(encoded.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  if (bytes.length >= MIN_FRAGMENT_SECRET_BYTES) {
    for (const offset of [0, 1, 2]) {
      const fragment = alignedFragment(bytes, offset);
      add(fragment);
      add(fragment.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms];
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A line redactor for these secrets (and for credential-shaped values, always). */
export function createRedactor(secrets: Iterable<string>): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
  if (forms.size === 0) return (line) => maskCredentials(line);
  // Longest first, so a secret's full encoding wins over its fragment.
  const pattern = new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  return (line) => maskCredentials(line.replace(pattern, REDACTED));
}

/**
 * The one gate every text leaving the core passes (results, errors, events, stored rows, target
 * diffs, CLI output). It learns secrets as they are found (a workspace's config when it is read,
 * the machine's registry and kubeconfig credentials at start) and only ever adds to them.
 */
export interface RedactionGate {
  /** Adds secrets to hide from now on. */
  add(secrets: Iterable<string>): void;
  /** A text with every known secret (and credential-shaped value) hidden. */
  text(text: string): string;
  /** A JSON-like value with every string in it (keys included) passed through text(). */
  value<T>(value: T): T;
}

export function createRedactionGate(initial: Iterable<string> = []): RedactionGate {
  const secrets = new Set<string>();
  let redact: Redactor = createRedactor([]);
  const gate: RedactionGate = {
    add(values) {
      let grew = false;
      for (const value of values) {
        if (value.length >= MIN_SECRET_LENGTH && !secrets.has(value)) {
          secrets.add(value);
          grew = true;
        }
      }
      if (grew) redact = createRedactor(secrets);
    },
    text: (text) => redact(text),
    value: <T>(value: T): T => redactValue(value, redact) as T,
  };
  gate.add(initial);
  return gate;
}

function redactValue(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact));
  if (value instanceof Error) return value;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[redact(key)] = redactValue(item, redact);
    return out;
  }
  return value;
}

/**
 * Splits a byte/text stream into whole lines for redaction. `push` returns the complete lines seen so
 * far; `end` returns the rest. Carriage-return progress updates become their own lines.
 */
export function createLineSplitter(): { push(chunk: string): string[]; end(): string[] } {
  let rest = '';
  return {
    push(chunk) {
      rest += chunk;
      // A trailing \r may be the first half of \r\n: keep it until the next chunk says.
      const held = rest.endsWith('\r') ? '\r' : '';
      const parts = (held ? rest.slice(0, -1) : rest).split(/\r\n|\n|\r/);
      rest = (parts.pop() ?? '') + held;
      return parts;
    },
    end() {
      const last = rest.replace(/\r$/, '');
      rest = '';
      return last.length > 0 ? [last] : [];
    },
  };
}
