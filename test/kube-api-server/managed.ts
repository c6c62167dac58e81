// Server-side apply and managedFields bookkeeping: which manager owns which fields, conflicts
// between managers, and removal of fields a manager stops applying.
import { fieldsOf, fromFieldsV1, isItemPath, locate, parsePath, pathString, toFieldsV1, type FieldSet } from './fieldset.js';
import { itemKey, listType, sameKey } from './schema.js';
import { ApiError } from './status.js';
import { clone, deepEqual, isPlainObject, meta, timestamp, type KubeObject, type ManagedFieldsEntry } from './util.js';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  apiVersion: string;
  time: string;
  set: FieldSet;
}

export function readManaged(object: KubeObject | undefined): ManagerEntry[] {
  const entries = object ? meta(object).managedFields : undefined;
  if (!Array.isArray(entries)) return [];
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    ...(e.subresource ? { subresource: e.subresource } : {}),
    apiVersion: e.apiVersion,
    time: e.time,
    set: fromFieldsV1(e.fieldsV1),
  }));
}

export function writeManaged(object: KubeObject, entries: ManagerEntry[]): void {
  const live = entries.filter((e) => e.set.size > 0);
  const out: ManagedFieldsEntry[] = live.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(e.set),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
  if (out.length > 0) meta(object).managedFields = out;
  else delete meta(object).managedFields;
}

/** Compares managed field sets ignoring timestamps (a no-op write must not count as a change). */
export function sameOwnership(a: ManagerEntry[], b: ManagerEntry[]): boolean {
  const norm = (list: ManagerEntry[]) =>
    list
      .filter((e) => e.set.size > 0)
      .map((e) => `${e.manager}|${e.operation}|${e.subresource ?? ''}|${[...e.set].sort().join(';')}`)
      .sort();
  return deepEqual(norm(a), norm(b));
}

function mergeApplied(live: unknown, applied: unknown, names: string[]): unknown {
  if (applied === null) return undefined;
  if (isPlainObject(applied)) {
    const result: Record<string, unknown> = isPlainObject(live) ? clone(live) : {};
    for (const [key, value] of Object.entries(applied)) {
      const merged = mergeApplied(result[key], value, [...names, key]);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
    return result;
  }
  if (Array.isArray(applied)) {
    const list = listType(names);
    if (list.type === 'atomic' || !Array.isArray(live)) return clone(applied);
    const result = clone(live);
    if (list.type === 'set') {
      for (const item of applied) if (!result.some((e) => deepEqual(e, item))) result.push(clone(item));
      return result;
    }
    for (const item of applied) {
      const key = itemKey(item, list);
      const index = result.findIndex((e) => sameKey(itemKey(e, list), key));
      if (index >= 0) result[index] = mergeApplied(result[index], item, names);
      else result.push(mergeApplied(undefined, item, names));
    }
    return result;
  }
  return applied;
}

function ownsWithin(entry: ManagerEntry, encoded: string): boolean {
  if (entry.set.has(encoded)) return true;
  const prefix = encoded.slice(0, -1) + ',';
  for (const p of entry.set) if (p.startsWith(prefix)) return true;
  return false;
}

export interface ApplyInput {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  now?: number;
}

/** Merges an apply configuration into the live object (or creates it); throws 409 on conflicts. */
export function serverSideApply(input: ApplyInput): KubeObject {
  const { live, applied, manager, force, apiVersion } = input;
  const time = timestamp(input.now);
  const entries = readManaged(live);
  const newSet = fieldsOf(applied);
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  const prevSet: FieldSet = mine ? mine.set : new Set();
  const others = entries.filter((e) => e !== mine);

  const conflicts = new Map<string, ManagerEntry[]>();
  if (live) {
    for (const encoded of newSet) {
      const path = parsePath(encoded);
      if (isItemPath(path)) continue;
      const want = locate(applied, path);
      const have = locate(live, path);
      if (!have.found || deepEqual(want.value, have.value)) continue;
      if (isPlainObject(want.value) && Object.keys(want.value).length === 0) continue;
      for (const other of others) {
        if (!other.set.has(encoded)) continue;
        conflicts.set(encoded, [...(conflicts.get(encoded) ?? []), other]);
      }
    }
  }
  if (conflicts.size > 0 && !force) throw conflictError(conflicts);
  for (const [encoded, owners] of conflicts) for (const owner of owners) owner.set.delete(encoded);

  const base = live ? clone(live) : {};
  delete meta(base).managedFields;
  const appliedBody = clone(applied);
  delete appliedBody.status;
  const result = mergeApplied(base, appliedBody, []) as KubeObject;

  const removed = [...prevSet].filter((p) => !newSet.has(p)).sort((a, b) => a.length - b.length);
  for (const encoded of removed) {
    if (others.some((o) => ownsWithin(o, encoded))) continue;
    locate(result, parsePath(encoded)).remove?.();
  }

  const nextEntries = others.filter((e) => e.set.size > 0);
  const unchanged = mine && deepEqual([...mine.set].sort(), [...newSet].sort());
  const entry: ManagerEntry = { manager, operation: 'Apply', apiVersion, time: unchanged ? mine.time : time, set: newSet };
  const index = mine ? entries.indexOf(mine) : -1;
  if (index >= 0) nextEntries.splice(Math.min(index, nextEntries.length), 0, entry);
  else nextEntries.push(entry);
  writeManaged(result, nextEntries);
  return result;
}

function conflictError(conflicts: Map<string, ManagerEntry[]>): ApiError {
  const causes: Array<{ reason: string; message: string; field: string }> = [];
  for (const [encoded, owners] of conflicts) {
    for (const owner of owners) {
      causes.push({
        reason: 'FieldManagerConflict',
        message: `conflict with "${owner.manager}"${owner.subresource ? ` with subresource "${owner.subresource}"` : ''}${owner.operation === 'Update' ? ` using ${owner.apiVersion}` : ''}`,
        field: pathString(parsePath(encoded)),
      });
    }
  }
  let message: string;
  if (causes.length === 1) {
    message = `Apply failed with 1 conflict: ${causes[0]!.message}: ${causes[0]!.field}`;
  } else {
    message = `Apply failed with ${causes.length} conflicts: ${causes.map((c) => `${c.message}: ${c.field}`).join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

export interface UpdateInput {
  old: KubeObject | undefined;
  next: KubeObject;
  manager: string;
  apiVersion: string;
  subresource?: 'status' | 'scale';
  now?: number;
}

/** Records an Update operation (POST/PUT/non-apply PATCH): the manager takes the fields it changed. */
export function recordUpdate(input: UpdateInput): void {
  const { old, next, manager, apiVersion, subresource } = input;
  const entries = readManaged(old);
  const status = subresource === 'status';
  const oldSet = old ? fieldsOf(old, { status }) : new Set<string>();
  const newSet = fieldsOf(next, { status });
  const changed = [...newSet].filter((encoded) => {
    if (!oldSet.has(encoded)) return true;
    const path = parsePath(encoded);
    return !isItemPath(path) && !deepEqual(locate(old, path).value, locate(next, path).value);
  });
  const removed = [...oldSet].filter((p) => !newSet.has(p));
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Update' && (e.subresource ?? '') === (subresource ?? ''));
  for (const entry of entries) {
    for (const p of removed) entry.set.delete(p);
    if (entry !== mine) for (const p of changed) entry.set.delete(p);
  }
  if (changed.length > 0) {
    if (!mine) {
      mine = { manager, operation: 'Update', apiVersion, time: '', set: new Set(), ...(subresource ? { subresource } : {}) };
      entries.push(mine);
    }
    for (const p of changed) mine.set.add(p);
    mine.time = timestamp(input.now);
  }
  writeManaged(next, entries);
}
