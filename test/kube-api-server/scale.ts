// The /scale subresource of deployments and replica sets (autoscaling/v1 Scale), as `kubectl scale` uses it.
import type { Api, PatchType, WriteOptions } from './api.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import type { ResourceInfo } from './resources.js';
import { selectorToString } from './selectors.js';
import { errors } from './status.js';
import { clone, dig, isPlainObject, meta, type KubeObject } from './util.js';

export const SCALABLE = new Set(['deployments', 'replicasets']);

function toScale(object: KubeObject): KubeObject {
  const m = meta(object);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: dig(object, 'spec', 'replicas') ?? 0 },
    status: { replicas: dig(object, 'status', 'replicas') ?? 0, selector: selectorToString(dig(object, 'spec', 'selector')) },
  };
}

export function getScale(api: Api, info: ResourceInfo, namespace: string | null, name: string): KubeObject {
  return toScale(api.get(info, api.namespaceOf(info, namespace), name));
}

/** PUT (type undefined) or PATCH of the Scale; writes spec.replicas through to the parent object. */
export function writeScale(
  api: Api,
  info: ResourceInfo,
  namespace: string | null,
  name: string,
  body: unknown,
  type: PatchType | undefined,
  options: WriteOptions,
): KubeObject {
  const current = getScale(api, info, namespace, name);
  let next: unknown = body;
  if (type === 'json') next = applyJsonPatch(current, body);
  else if (type === 'merge') next = applyMergePatch(current, body);
  else if (type === 'strategic') next = applyStrategicMergePatch(current, body);
  else if (type === 'apply') throw errors.badRequest('server-side apply to the scale subresource is not supported by this test server');
  const replicas = dig(next, 'spec', 'replicas');
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid(info, name, [{ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  const rv = isPlainObject(next) ? meta(next).resourceVersion : undefined;
  const parent = clone(api.get(info, namespace, name));
  if (rv && rv !== meta(parent).resourceVersion) {
    throw errors.conflict(info, name, 'the object has been modified; please apply your changes to the latest version and try again');
  }
  (parent.spec as Record<string, unknown>).replicas = replicas;
  return toScale(api.update(info, namespace, name, parent, { ...options, subresource: 'scale' }));
}
