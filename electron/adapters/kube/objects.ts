// Per-object bookkeeping of the Kubernetes target (issue 13): the reference and version of each object a
// release writes (for its journal rows), and what those objects are now (for reconciling a release
// whose process died). "Carries release R" reads a workload's pod template annotation, not the
// object's own, because a rollback restores the template (and with it the earlier release's mark)
// while the object's own annotations keep the last apply's.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LiveObject, ObjectRef, ObjectVersion } from '../../core/ports/deploy-target.js';
import { toErrorPayload } from '../../../shared/errors.js';
import type { CallOptions, KubeClient } from './client.js';
import { ANNOTATION_RELEASE, type RenderedObject, TEMPLATE_KINDS } from './manifests.js';
import { type DeploymentLike, deploymentRolloutState } from './rollout.js';

const record = (value: unknown): Record<string, unknown> | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

export function refOf(o: RenderedObject): ObjectRef {
  const { apiVersion, kind, metadata } = o.object;
  return { service: o.service, apiVersion, kind, namespace: metadata.namespace ?? null, name: metadata.name, object: o.ref };
}

/** The release an object's content came from: its pod template's mark for a workload, else its own. */
export function releaseOf(object: KubernetesObject): string | null {
  const own = object.metadata?.annotations?.[ANNOTATION_RELEASE] ?? null;
  if (!TEMPLATE_KINDS.has(object.kind ?? '')) return own;
  const template = record(record(record(object as unknown)?.spec)?.template);
  const annotations = record(record(template?.metadata)?.annotations);
  const mark = annotations?.[ANNOTATION_RELEASE];
  return typeof mark === 'string' ? mark : null;
}

export function versionOf(object: KubernetesObject | null): ObjectVersion {
  if (!object) return { exists: false, resourceVersion: null, generation: null, release: null };
  return { exists: true, resourceVersion: object.metadata?.resourceVersion ?? null, generation: object.metadata?.generation ?? null, release: releaseOf(object) };
}

/** Ready by kubectl's rollout rules for a Deployment; any other object is ready once it exists. */
function readiness(object: KubernetesObject, ref: ObjectRef): { ready: boolean; message: string } {
  if (ref.kind !== 'Deployment') return { ready: true, message: `${ref.object} exists` };
  const state = deploymentRolloutState(object as DeploymentLike, ref.object);
  return { ready: state.done, message: state.failed ?? state.message };
}

/** Each object as it is now; one that cannot be read says why and does not hide the others. */
export async function liveObjects(client: KubeClient, refs: readonly ObjectRef[], opts?: CallOptions): Promise<LiveObject[]> {
  const out: LiveObject[] = [];
  for (const ref of refs) {
    try {
      const live = await client.get({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } }, opts);
      if (!live) out.push({ object: ref.object, now: versionOf(null), ready: false, message: `${ref.object} does not exist` });
      else out.push({ object: ref.object, now: versionOf(live), ...readiness(live, ref) });
    } catch (err) {
      out.push({ object: ref.object, now: null, ready: false, message: toErrorPayload(err).message });
    }
  }
  return out;
}
