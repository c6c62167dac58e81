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

export type LineOp = { op: ' ' | '-' | '+'; line: string };

/** Line diff by longest common subsequence (O(n·m); manifests are small). */
export function diffLines(a: string[], b: string[]): LineOp[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const below = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const ops: LineOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i] as string });
      i++;
      j++;
    } else if ((lcs[i + 1] as Uint32Array)[j] as number >= ((lcs[i] as Uint32Array)[j + 1] as number)) {
      ops.push({ op: '-', line: a[i++] as string });
    } else {
      ops.push({ op: '+', line: b[j++] as string });
    }
  }
  while (i < n) ops.push({ op: '-', line: a[i++] as string });
  while (j < m) ops.push({ op: '+', line: b[j++] as string });
  return ops;
}

/** Unified diff text with `context` lines around each change; empty when nothing changed. */
export function unifiedDiff(a: string[], b: string[], fromLabel: string, toLabel: string, context = 3): string {
  const ops = diffLines(a, b);
  if (!ops.some((o) => o.op !== ' ')) return '';
  // positions (1-based) in a and b before each op
  const posA: number[] = [];
  const posB: number[] = [];
  let ia = 1;
  let ib = 1;
  for (const o of ops) {
    posA.push(ia);
    posB.push(ib);
    if (o.op !== '+') ia++;
    if (o.op !== '-') ib++;
  }
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  let k = 0;
  while (k < ops.length) {
    if ((ops[k] as LineOp).op === ' ') {
      k++;
      continue;
    }
    let start = Math.max(0, k - context);
    let end = k;
    // extend the hunk while the next change is within 2·context unchanged lines
    for (;;) {
      while (end < ops.length && (ops[end] as LineOp).op !== ' ') end++;
      let next = end;
      while (next < ops.length && (ops[next] as LineOp).op === ' ') next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    start = Math.max(0, start);
    const slice = ops.slice(start, end);
    const countA = slice.filter((o) => o.op !== '+').length;
    const countB = slice.filter((o) => o.op !== '-').length;
    const startA = countA === 0 ? (posA[start] as number) - 1 : (posA[start] as number);
    const startB = countB === 0 ? (posB[start] as number) - 1 : (posB[start] as number);
    out.push(`@@ -${startA},${countA} +${startB},${countB} @@`);
    for (const o of slice) out.push(`${o.op}${o.line}`);
    k = end;
  }
  return out.join('\n') + '\n';
}

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
