// Diffs of live objects against what server-side apply would make of them (a dry run): server-owned
// fields dropped, Secret values masked, kubectl's last-applied annotation dropped (it repeats the whole
// object, Secret values included, as `kubectl diff` leaves it out of view), and container env values
// that are secrets (by name, by declared value, or by carrying credentials) masked. A unified diff of
// the YAML lines. Pure.
import { stringify } from 'yaml';
import { isSecretEnv } from '../../core/secret-shapes.js';

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
    if (isRecord(meta.annotations)) {
      delete meta.annotations[LAST_APPLIED];
      if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
    }
  }
  return plain;
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type EnvEntry = { name: string; value: string };
const isEnvEntry = (item: unknown): item is EnvEntry => isRecord(item) && typeof item.name === 'string' && typeof item.value === 'string';

/** Every `env` list of name/value pairs in the object (containers of pods, templates, job templates …). */
function envLists(value: unknown, out: EnvEntry[][] = []): EnvEntry[][] {
  if (Array.isArray(value)) for (const item of value) envLists(item, out);
  else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'env' && Array.isArray(item)) out.push(item.filter(isEnvEntry));
      else envLists(item, out);
    }
  }
  return out;
}

/**
 * Masks secret env values on both sides: a name is masked on both when either side's value is a
 * secret; equal values show `***`, different ones `*** (changed)` on the new side.
 */
export function maskEnv(before: Json | null, after: Json | null, secrets: ReadonlySet<string> = new Set()): void {
  const beforeLists = envLists(before);
  const afterLists = envLists(after);
  const secretNames = new Set<string>();
  for (const entry of [...beforeLists.flat(), ...afterLists.flat()]) if (isSecretEnv(entry.name, entry.value, secrets)) secretNames.add(entry.name);
  const beforeValues = new Map<string, string>();
  for (const entry of beforeLists.flat()) if (secretNames.has(entry.name)) beforeValues.set(entry.name, entry.value);
  for (const entry of afterLists.flat()) {
    if (!secretNames.has(entry.name)) continue;
    const old = beforeValues.get(entry.name);
    entry.value = old === undefined || old === entry.value ? MASK : MASK_CHANGED;
  }
  for (const entry of beforeLists.flat()) if (secretNames.has(entry.name)) entry.value = MASK;
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

/** The diff of one object: `live` null means it does not exist yet (all lines added). `secrets`: values declared secret. */
export function diffObject(ref: string, live: unknown, desired: unknown, secrets: ReadonlySet<string> = new Set()): ObjectDiffText {
  const masked = maskSecrets(normalizeForDiff(live), normalizeForDiff(desired));
  maskEnv(masked.before, masked.after, secrets);
  const before = toYamlLines(masked.before);
  const after = toYamlLines(masked.after);
  if (!masked.before) return { change: 'add', diff: unifiedDiff([], after, '/dev/null', `desired/${ref}`) };
  const diff = unifiedDiff(before, after, `live/${ref}`, `desired/${ref}`);
  return { change: diff === '' ? 'unchanged' : 'modify', diff };
}
