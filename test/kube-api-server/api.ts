// The write/read semantics of the REST verbs, independent of HTTP: namespaces, resourceVersion
// preconditions, status subresources, defaulting, validation, generation, managedFields, dryRun,
// no-op detection and cascading deletion through ownerReferences.
import { applyDefaults, validate } from './defaults.js';
import { readManaged, recordUpdate, sameOwnership, serverSideApply } from './managed.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { RESOURCES, apiVersionOf, type ResourceInfo } from './resources.js';
import { ApiError, errors } from './status.js';
import type { Store } from './store.js';
import { clone, deepEqual, isPlainObject, meta, pruneNulls, randomSuffix, type KubeObject } from './util.js';

export interface WriteOptions {
  dryRun?: boolean;
  manager: string;
  /** `status` writes only the status; `scale` is a main-resource write recorded as the scale subresource. */
  subresource?: 'status' | 'scale';
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  return PATCH_TYPES[(contentType ?? '').split(';')[0]!.trim().toLowerCase()];
}

/** Everything outside metadata and status: a change here bumps metadata.generation. */
function specPart(object: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = object;
  return rest;
}

function withoutManaged(object: KubeObject): KubeObject {
  const copy = clone(object);
  delete meta(copy).managedFields;
  return copy;
}

export class Api {
  constructor(private readonly store: Store) {}

  namespaceOf(info: ResourceInfo, namespace: string | null): string | null {
    if (!info.namespaced) return null;
    if (!namespace) throw errors.noRoute();
    if (!this.store.peek('namespaces', null, namespace)) throw errors.namespaceNotFound(namespace);
    return namespace;
  }

  get(info: ResourceInfo, namespace: string | null, name: string): KubeObject {
    const object = this.store.get(info.name, info.namespaced ? namespace : null, name);
    if (!object) throw errors.notFound(info, name);
    return object;
  }

  /** Sets apiVersion/kind and checks the body's identity against the request. */
  private normalise(info: ResourceInfo, namespace: string | null, body: unknown, urlName?: string): KubeObject {
    if (!isPlainObject(body)) throw errors.badRequest('the request body must be a JSON or YAML object');
    const object = clone(body);
    const apiVersion = apiVersionOf(info);
    if ((object.kind !== undefined && object.kind !== info.kind) || (object.apiVersion !== undefined && object.apiVersion !== apiVersion)) {
      throw errors.badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion}) or kind (${String(object.kind)} vs ${info.kind})`);
    }
    const m = meta(object);
    if (info.namespaced) {
      if (m.namespace && m.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      m.namespace = namespace ?? undefined;
    } else delete m.namespace;
    if (urlName !== undefined && m.name !== undefined && m.name !== urlName) {
      throw errors.badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${urlName})`);
    }
    if (urlName !== undefined && m.name === undefined) m.name = urlName;
    return { apiVersion, kind: info.kind, ...object };
  }

  create(info: ResourceInfo, namespace: string | null, body: unknown, options: WriteOptions, applied?: KubeObject): KubeObject {
    const ns = this.namespaceOf(info, namespace);
    const object = applied ?? this.normalise(info, ns, body);
    const m = meta(object);
    if (!m.name && m.generateName) m.name = `${m.generateName}${randomSuffix()}`;
    for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'deletionTimestamp'] as const) delete m[key];
    if (info.statusSubresource && info.kind !== 'Namespace' && info.kind !== 'Service') object.status = {};
    pruneNulls(object);
    applyDefaults(info, object);
    validate(info, object);
    if (this.store.peek(info.name, ns, String(m.name))) throw errors.alreadyExists(info, String(m.name));
    if (!applied) recordUpdate({ old: undefined, next: object, manager: options.manager, apiVersion: apiVersionOf(info) });
    if (options.dryRun) {
      if (info.generation) m.generation = 1;
      return object;
    }
    return this.store.create(info, object);
  }

  update(info: ResourceInfo, namespace: string | null, name: string, body: unknown, options: WriteOptions): KubeObject {
    const ns = this.namespaceOf(info, namespace);
    const old = this.get(info, ns, name);
    const next = this.normalise(info, ns, body, name);
    const rv = meta(next).resourceVersion;
    if (rv && rv !== meta(old).resourceVersion) {
      throw errors.conflict(info, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.commit(info, old, next, options, false);
  }

  patch(info: ResourceInfo, namespace: string | null, name: string, type: PatchType, body: unknown, options: WriteOptions & { force?: boolean }): KubeObject {
    const ns = this.namespaceOf(info, namespace);
    if (type === 'apply') return this.apply(info, ns, name, body, options);
    const old = this.get(info, ns, name);
    let patched: unknown;
    if (type === 'json') patched = applyJsonPatch(old, body);
    else if (type === 'merge') patched = applyMergePatch(old, body);
    else patched = applyStrategicMergePatch(old, body);
    const next = this.normalise(info, ns, patched, name);
    const rv = meta(next).resourceVersion;
    if (rv && rv !== meta(old).resourceVersion) {
      throw errors.conflict(info, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.commit(info, old, next, options, false);
  }

  apply(info: ResourceInfo, namespace: string | null, name: string, body: unknown, options: WriteOptions & { force?: boolean }): KubeObject {
    if (!options.manager) throw errors.badRequest('PATCH: fieldManager is required for apply requests');
    if (!isPlainObject(body) || typeof body.apiVersion !== 'string' || typeof body.kind !== 'string') {
      throw errors.badRequest('invalid object type: apply configurations must set apiVersion and kind');
    }
    const applied = this.normalise(info, namespace, body, name);
    if (options.subresource === 'status') throw errors.badRequest('server-side apply to the status subresource is not supported by this test server');
    const old = this.store.get(info.name, namespace, name);
    const merged = serverSideApply({
      live: old,
      applied,
      manager: options.manager,
      force: Boolean(options.force),
      apiVersion: apiVersionOf(info),
    });
    if (!old) return this.create(info, namespace, undefined, options, merged);
    const rv = meta(applied).resourceVersion;
    if (rv && rv !== meta(old).resourceVersion) {
      throw errors.conflict(info, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    meta(merged).resourceVersion = meta(old).resourceVersion;
    return this.commit(info, old, merged, options, true);
  }

  /** Shared tail of update/patch/apply: keeps identity and status, defaults, validates, stores. */
  private commit(info: ResourceInfo, old: KubeObject, candidate: KubeObject, options: WriteOptions, managedDone: boolean): KubeObject {
    let next = candidate;
    if (options.subresource === 'status') {
      next = clone(old);
      next.status = clone(candidate.status);
    } else if (info.statusSubresource) {
      if (old.status === undefined) delete next.status;
      else next.status = clone(old.status);
    }
    const m = meta(next);
    const o = meta(old);
    m.uid = o.uid;
    m.creationTimestamp = o.creationTimestamp;
    m.resourceVersion = o.resourceVersion;
    if (info.generation) m.generation = o.generation;
    else delete m.generation;
    pruneNulls(next);
    applyDefaults(info, next);
    validate(info, next, old);
    if (!managedDone) {
      recordUpdate({ old, next, manager: options.manager, apiVersion: apiVersionOf(info), subresource: options.subresource });
    }
    if (info.generation && !deepEqual(specPart(old), specPart(next))) m.generation = (o.generation ?? 1) + 1;
    if (deepEqual(withoutManaged(old), withoutManaged(next)) && sameOwnership(readManaged(old), readManaged(next))) return old;
    if (options.dryRun) return next;
    return this.store.update(info, next);
  }

  delete(
    info: ResourceInfo,
    namespace: string | null,
    name: string,
    options: { dryRun?: boolean; propagationPolicy?: string; preconditions?: { uid?: string; resourceVersion?: string } },
  ): KubeObject {
    const ns = this.namespaceOf(info, namespace);
    const existing = this.get(info, ns, name);
    const m = meta(existing);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== m.uid) {
      throw errors.conflict(info, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
      throw errors.conflict(info, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`);
    }
    if (options.dryRun) return existing;
    if (info.kind === 'Namespace') {
      for (const r of RESOURCES) if (r.namespaced) for (const o of this.store.list(r.name, name)) this.store.remove(r, name, String(meta(o).name));
    }
    const gone = this.store.remove(info, ns, name);
    if (!gone) throw errors.notFound(info, name);
    this.deleteDependents(String(m.uid), options.propagationPolicy === 'Orphan');
    return gone;
  }

  /** Garbage collection: removes (or orphans) every object whose ownerReferences name `uid`. */
  deleteDependents(uid: string, orphan: boolean): void {
    for (const r of RESOURCES) {
      for (const object of this.store.list(r.name, null)) {
        const m = meta(object);
        const refs = m.ownerReferences ?? [];
        if (!refs.some((ref) => ref.uid === uid)) continue;
        if (orphan) {
          m.ownerReferences = refs.filter((ref) => ref.uid !== uid);
          if (m.ownerReferences.length === 0) delete m.ownerReferences;
          this.store.update(r, object);
        } else {
          this.store.remove(r, m.namespace ?? null, String(m.name));
          this.deleteDependents(String(m.uid), false);
        }
      }
    }
  }

  /** Server-side apply by another manager (used by tests to set up conflicts); forces ownership. */
  applyAs(manager: string, object: Record<string, unknown>): KubeObject {
    const kind = String(object.kind);
    const info = RESOURCES.find((r) => apiVersionOf(r) === object.apiVersion && r.kind === kind);
    if (!info) throw new ApiError(404, 'NotFound', `no matches for kind "${kind}" in version "${String(object.apiVersion)}"`);
    const m = isPlainObject(object.metadata) ? object.metadata : {};
    const namespace = info.namespaced ? String(m.namespace ?? 'default') : null;
    return this.apply(info, namespace, String(m.name), object, { manager, force: true });
  }
}
