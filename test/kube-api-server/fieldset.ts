// Field sets as the API server tracks them for managedFields: paths of `f:<field>`, `k:{key}` (an
// item of an associative list) and `v:<value>` (an item of a set) segments, convertible to and from
// the fieldsV1 wire form.
import { itemKey, keySegment, listType, sameKey } from './schema.js';
import { deepEqual, isPlainObject } from './util.js';

export type Path = string[];
/** A set of paths, each stored as JSON of its segments. */
export type FieldSet = Set<string>;

const IDENTITY_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

function namesOf(path: Path): string[] {
  return path.filter((s) => s.startsWith('f:')).map((s) => s.slice(2));
}

function walk(value: unknown, path: Path, out: FieldSet): void {
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0 && path.length > 0) out.add(JSON.stringify(path));
    for (const key of keys) walk(value[key], [...path, `f:${key}`], out);
    return;
  }
  if (Array.isArray(value)) {
    const list = listType(namesOf(path));
    if (list.type === 'atomic') {
      out.add(JSON.stringify(path));
    } else if (list.type === 'set') {
      for (const item of value) out.add(JSON.stringify([...path, `v:${JSON.stringify(item)}`]));
    } else {
      for (const item of value) {
        const itemPath = [...path, keySegment(itemKey(item, list))];
        out.add(JSON.stringify(itemPath));
        if (isPlainObject(item)) for (const key of Object.keys(item)) walk(item[key], [...itemPath, `f:${key}`], out);
      }
    }
    return;
  }
  out.add(JSON.stringify(path));
}

/** The fields an object (or an apply configuration) sets, excluding identity metadata and status. */
export function fieldsOf(object: Record<string, unknown>, options: { status?: boolean } = {}): FieldSet {
  const out: FieldSet = new Set();
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || value === undefined) continue;
    if ((key === 'status') !== Boolean(options.status)) continue;
    if (key === 'metadata' && isPlainObject(value)) {
      for (const [mkey, mvalue] of Object.entries(value)) {
        if (!IDENTITY_METADATA.has(mkey) && mvalue !== undefined) walk(mvalue, ['f:metadata', `f:${mkey}`], out);
      }
      continue;
    }
    walk(value, [`f:${key}`], out);
  }
  return out;
}

export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const owned: Array<Record<string, unknown>> = [];
  for (const encoded of [...set].sort()) {
    let node = root;
    for (const segment of JSON.parse(encoded) as Path) {
      if (!isPlainObject(node[segment])) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    owned.push(node);
  }
  for (const node of owned) if (Object.keys(node).length > 0 && !('.' in node)) node['.'] = {};
  return root;
}

export function fromFieldsV1(fields: unknown, prefix: Path = [], out: FieldSet = new Set()): FieldSet {
  if (!isPlainObject(fields)) return out;
  for (const [segment, sub] of Object.entries(fields)) {
    if (segment === '.') {
      out.add(JSON.stringify(prefix));
      continue;
    }
    const path = [...prefix, segment];
    if (isPlainObject(sub) && Object.keys(sub).length > 0) fromFieldsV1(sub, path, out);
    else out.add(JSON.stringify(path));
  }
  return out;
}

interface Located {
  found: boolean;
  value: unknown;
  /** For removal: the container and how to delete the final segment from it. */
  remove?: () => void;
}

/** Finds the value at a path in an object. */
export function locate(object: unknown, path: Path): Located {
  let current: unknown = object;
  let remove: (() => void) | undefined;
  const names: string[] = [];
  for (const segment of path) {
    const kind = segment.slice(0, 2);
    const rest = segment.slice(2);
    if (kind === 'f:') {
      names.push(rest);
      if (!isPlainObject(current) || !(rest in current) || current[rest] === undefined) return { found: false, value: undefined };
      const container = current;
      remove = () => delete container[rest];
      current = current[rest];
    } else if (kind === 'k:' || kind === 'v:') {
      if (!Array.isArray(current)) return { found: false, value: undefined };
      const list = listType(names);
      const wanted = JSON.parse(rest) as unknown;
      const array = current;
      const index =
        kind === 'v:'
          ? array.findIndex((item) => deepEqual(item, wanted))
          : list.type === 'map' && isPlainObject(wanted)
            ? array.findIndex((item) => sameKey(itemKey(item, list), wanted))
            : -1;
      if (index < 0) return { found: false, value: undefined };
      remove = () => {
        const at = array.indexOf(array[index]);
        if (at >= 0) array.splice(at, 1);
      };
      current = array[index];
    } else return { found: false, value: undefined };
  }
  return { found: true, value: current, remove };
}

/** `.spec.template.spec.containers[name="web"].image`, as conflict messages print paths. */
export function pathString(path: Path): string {
  let out = '';
  for (const segment of path) {
    const rest = segment.slice(2);
    if (segment.startsWith('f:')) out += `.${rest}`;
    else if (segment.startsWith('v:')) out += `[${rest}]`;
    else if (segment.startsWith('k:')) {
      const key = JSON.parse(rest) as Record<string, unknown>;
      out += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
  }
  return out;
}

export function parsePath(encoded: string): Path {
  return JSON.parse(encoded) as Path;
}

/** True for paths naming a list item (whose "value" is the item's existence, not a leaf). */
export function isItemPath(path: Path): boolean {
  const last = path[path.length - 1];
  return last !== undefined && (last.startsWith('k:') || last.startsWith('v:'));
}
