// The wire protocol's parsers against arbitrary input: a client message is accepted exactly when a
// plain reading of the rules says so, and nothing — any JSON value, any text — makes either parser throw.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { parseClientMessage, parseServerMessage } from '../../shared/channel.js';

const ids = fc.oneof(
  fc.integer({ min: -5, max: 2 ** 31 }),
  fc.constantFrom(0, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -0, 1.5, 1e300, -1),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
  fc.boolean(),
);
const names = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ minLength: 120, maxLength: 140 }), fc.constant('release.plan'), fc.integer());

/** Call-shaped records with optional extra keys, and arbitrary JSON. */
const messages = fc.oneof(
  fc.record(
    {
      type: fc.oneof(fc.constant('call'), fc.constant('result'), fc.string({ maxLength: 5 })),
      id: ids,
      name: names,
      input: fc.jsonValue({ maxDepth: 2 }),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

/** The rules as the protocol states them, read plainly. */
function acceptable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (Object.keys(record).some((key) => !['type', 'id', 'name', 'input'].includes(key))) return false;
  const id = record.id;
  const idOk = typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 9007199254740991;
  const nameOk = typeof record.name === 'string' && record.name.length >= 1 && record.name.length <= 128;
  return record.type === 'call' && idOk && nameOk;
}

describe('parseClientMessage (property)', () => {
  test.prop([messages])('accepts exactly the well-formed calls, and returns them unchanged', (value) => {
    const text = JSON.stringify(value) ?? 'undefined';
    const reparsed: unknown = text === 'undefined' ? undefined : JSON.parse(text); // what the wire carries (-0 → 0, dropped undefined)
    const parsed = parseClientMessage(text);
    if (acceptable(reparsed)) {
      const record = reparsed as Record<string, unknown>;
      expect(parsed).toEqual({ type: 'call', id: record.id, name: record.name, input: record.input ?? {} });
    } else {
      expect(parsed).toEqual({ error: expect.any(String) });
    }
  });

  test.prop([fc.string({ maxLength: 60 })])('never throws on arbitrary text', (text) => {
    const parsed = parseClientMessage(text);
    expect('error' in parsed || parsed.type === 'call').toBe(true);
  });
});

describe('parseServerMessage (property)', () => {
  test.prop([fc.oneof(messages, fc.jsonValue({ maxDepth: 3 }))])('never throws, and what it returns is a server message or null', (value) => {
    const parsed = parseServerMessage(JSON.stringify(value) ?? 'null');
    if (parsed === null) return;
    expect(['result', 'event', 'error']).toContain(parsed.type);
    if (parsed.type === 'result') expect(typeof parsed.result.ok).toBe('boolean');
    if (parsed.type === 'error') expect(typeof parsed.error.message).toBe('string');
  });
});
