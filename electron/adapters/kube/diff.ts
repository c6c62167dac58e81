// Diffs of live objects against what server-side apply would make of them (a dry run): server-owned
// fields dropped, Secret values masked, a unified diff of the YAML lines. Pure.
import { stringify } from 'yaml';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Plain JSON (Dates as ISO strings, class instances as plain objects, undefined dropped). */
export function toPlain(value: unknown): Json | null {
  if (value === null || value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Drops what the server owns and what changes on every write: managedFields, status, resourceVersion … */
export function normalizeForDiff(object: unknown): Json | null {
  const plain = toPlain(object);
  if (!plain) return null;
  delete plain.status;
  if (isRecord(plain.metadata)) {
    const meta = plain.metadata;
    for (const key of ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink']) delete meta[key];
  }
  return plain;
}

export const MASK = '***';
export const MASK_CHANGED = '*** (changed)';

/** Masks Secret `data` / `stringData` values on both sides: equal (or a new Secret) → `***`, different or one-sided → `*** (changed)`. */
export function maskSecrets(before: Json | null, after: Json | null): { before: Json | null; after: Json | null } {
  const kind = (after ?? before)?.kind;
  if (kind !== 'Secret') return { before, after };
  const b = before ? structuredClone(before) : null;
  const a = after ? structuredClone(after) : null;
  for (const field of ['data', 'stringData']) {
    const bMap = b && isRecord(b[field]) ? (b[field] as Json) : null;
    const aMap = a && isRecord(a[field]) ? (a[field] as Json) : null;
    const keys = new Set([...Object.keys(bMap ?? {}), ...Object.keys(aMap ?? {})]);
    for (const key of keys) {
      const inB = bMap !== null && key in bMap;
      const inA = aMap !== null && key in aMap;
      const same = inB && inA && JSON.stringify(bMap[key]) === JSON.stringify(aMap[key]);
      if (bMap && inB) bMap[key] = MASK;
      if (aMap && inA) aMap[key] = same || b === null ? MASK : MASK_CHANGED;
    }
  }
  return { before: b, after: a };
}

export function toYamlLines(object: Json | null): string[] {
  if (!object) return [];
  const text = stringify(object, { sortMapEntries: true, lineWidth: 0 });
  return text.replace(/\n$/, '').split('\n');
}

// The line diff is shared with the Docker target.
export { diffLines, type LineOp, unifiedDiff } from '../text-diff/unified-diff.js';
import { unifiedDiff } from '../text-diff/unified-diff.js';

export interface ObjectDiffText {
  change: 'add' | 'modify' | 'unchanged';
  diff: string;
}

/** The diff of one object: `live` null means it does not exist yet (all lines added). */
export function diffObject(ref: string, live: unknown, desired: unknown): ObjectDiffText {
  const masked = maskSecrets(normalizeForDiff(live), normalizeForDiff(desired));
  const before = toYamlLines(masked.before);
  const after = toYamlLines(masked.after);
  if (!masked.before) return { change: 'add', diff: unifiedDiff([], after, '/dev/null', `desired/${ref}`) };
  const diff = unifiedDiff(before, after, `live/${ref}`, `desired/${ref}`);
  return { change: diff === '' ? 'unchanged' : 'modify', diff };
}
