// Which lists are associative (merged by key) in the types this server serves. Shared by strategic
// merge patch and server-side apply; every other list is atomic (replaced as a whole).
import { isPlainObject } from './util.js';

export type ListType =
  | { type: 'map'; keys: string[]; defaults: Record<string, unknown> }
  | { type: 'set' }
  | { type: 'atomic' };

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** `names` are the field names from the object root to the list, e.g. ['spec','template','spec','containers']. */
export function listType(names: string[]): ListType {
  const field = names[names.length - 1];
  const parent = names[names.length - 2];
  const inContainer = names.some((n) => CONTAINER_LISTS.has(n));
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
      return { type: 'map', keys: ['name'], defaults: {} };
    case 'volumeMounts':
    case 'volumeDevices':
      return { type: 'map', keys: ['mountPath'], defaults: {} };
    case 'ports':
      if (inContainer) return { type: 'map', keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } };
      if (parent === 'spec' && names.length === 2) return { type: 'map', keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } };
      return { type: 'atomic' };
    case 'conditions':
      return { type: 'map', keys: ['type'], defaults: {} };
    case 'ownerReferences':
      return names.length === 2 && names[0] === 'metadata' ? { type: 'map', keys: ['uid'], defaults: {} } : { type: 'atomic' };
    case 'hostAliases':
      return { type: 'map', keys: ['ip'], defaults: {} };
    case 'topologySpreadConstraints':
      return { type: 'map', keys: ['topologyKey', 'whenUnsatisfiable'], defaults: {} };
    case 'finalizers':
      return { type: 'set' };
    default:
      return { type: 'atomic' };
  }
}

/** The key of an item of an associative list, with key defaults filled in (e.g. protocol TCP). */
export function itemKey(item: unknown, list: ListType & { type: 'map' }): Record<string, unknown> {
  const key: Record<string, unknown> = {};
  if (!isPlainObject(item)) return key;
  for (const k of list.keys) {
    const value = item[k] ?? list.defaults[k];
    if (value !== undefined) key[k] = value;
  }
  return key;
}

export function sameKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Serialised key as in fieldsV1: `k:{"containerPort":8080,"protocol":"TCP"}` (key order as declared). */
export function keySegment(key: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(key).sort()) sorted[k] = key[k];
  return `k:${JSON.stringify(sorted)}`;
}
