// The three non-apply PATCH flavours: RFC 6902 JSON patch, RFC 7386 merge patch and strategic merge.
import { itemKey, listType, sameKey } from './schema.js';
import { errors } from './status.js';
import { clone, deepEqual, isPlainObject } from './util.js';

// ---- JSON patch (RFC 6902) ----

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw errors.badRequest(`json patch: invalid path ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: unknown; last: string } {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isPlainObject(current)) current = current[token];
    else current = undefined;
    if (current === undefined) throw errors.badRequest(`json patch: path ${path} does not exist`);
  }
  return { parent: current, last: tokens[tokens.length - 1]! };
}

function getPointer(doc: unknown, path: string): unknown {
  let current = doc;
  for (const token of pointer(path)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isPlainObject(current)) current = current[token];
    else return undefined;
  }
  return current;
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = pointer(path);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!(index >= 0 && index < parent.length)) throw errors.badRequest(`json patch: remove index out of range: ${path}`);
    return parent.splice(index, 1)[0];
  }
  if (!isPlainObject(parent) || !(last in parent)) throw errors.badRequest(`json patch: unable to remove nonexistent key: ${path}`);
  const old = parent[last];
  delete parent[last];
  return old;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!(index >= 0 && index <= parent.length)) throw errors.badRequest(`json patch: index out of range: ${path}`);
    if (replace) parent[index] = value;
    else parent.splice(index, 0, value);
  } else if (isPlainObject(parent)) {
    if (replace && !(last in parent)) throw errors.badRequest(`json patch: replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = value;
  } else throw errors.badRequest(`json patch: path ${path} does not exist`);
  return doc;
}

export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw errors.badRequest('json patch: the patch must be an array of operations');
  let doc = clone(target);
  for (const op of operations) {
    if (!isPlainObject(op) || typeof op.path !== 'string') throw errors.badRequest('json patch: operation without a path');
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, clone(op.value), false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, clone(op.value), true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw errors.badRequest(`json patch: ${op.op} without from`);
        const value = op.op === 'move' ? removeAt(doc, op.from) : clone(getPointer(doc, op.from));
        doc = addAt(doc, op.path, value, false);
        break;
      }
      case 'test':
        if (!deepEqual(getPointer(doc, op.path), op.value)) throw errors.badRequest(`json patch: testing value ${op.path} failed`);
        break;
      default:
        throw errors.badRequest(`json patch: unexpected kind of operation: ${String(op.op)}`);
    }
  }
  return doc;
}

// ---- JSON merge patch (RFC 7386) ----

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

// ---- Strategic merge patch ----

function strategicList(target: unknown, patch: unknown[], names: string[]): unknown {
  const list = listType(names);
  const directive = patch.find((item) => isPlainObject(item) && item.$patch === 'replace');
  const items = patch.filter((item) => !(isPlainObject(item) && item.$patch === 'replace'));
  if (directive || list.type === 'atomic' || !Array.isArray(target)) {
    return items.map((item) => (isPlainObject(item) ? strategicMap(undefined, item, names) : clone(item)));
  }
  const result = clone(target);
  if (list.type === 'set') {
    for (const item of items) if (!result.some((existing) => deepEqual(existing, item))) result.push(clone(item));
    return result;
  }
  for (const item of items) {
    if (!isPlainObject(item)) continue;
    const key = itemKey(item, list);
    const index = result.findIndex((existing) => sameKey(itemKey(existing, list), key));
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = strategicMap(result[index], item, names);
    else result.push(strategicMap(undefined, item, names));
  }
  return result;
}

function strategicMap(target: unknown, patch: Record<string, unknown>, names: string[]): unknown {
  if (patch.$patch === 'delete') return undefined;
  const replace = patch.$patch === 'replace';
  const result: Record<string, unknown> = isPlainObject(target) && !replace ? clone(target) : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? patch.$retainKeys.map(String) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) result[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
      continue;
    }
    const path = [...names, key];
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = strategicList(result[key], value, path);
    else if (isPlainObject(value)) {
      const merged = strategicMap(result[key], value, path);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  if (retainKeys) for (const key of Object.keys(result)) if (!retainKeys.includes(key) && !(key in patch)) delete result[key];
  return result;
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) throw errors.badRequest('strategic merge patch: the patch must be a JSON object');
  return strategicMap(target, patch, []);
}
