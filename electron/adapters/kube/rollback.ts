// Revisions and rollback of a Deployment by `kubectl rollout undo`'s rules: the Deployment's
// ReplicaSets (by selector and controller ownerReference), their `deployment.kubernetes.io/revision`,
// the target's pod template without `pod-template-hash` patched back onto the Deployment. Pure.
import { ConvoyError } from '../../../shared/errors.js';
import type { TargetRevision } from '../../core/ports/deploy-target.js';
import { ANNOTATION_COMMIT, ANNOTATION_RELEASE } from './manifests.js';
import type { DeploymentLike } from './rollout.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** kubectl's annotationsToSkip: kept from the Deployment, never copied from the ReplicaSet. */
export const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

type Template = NonNullable<NonNullable<DeploymentLike['spec']>['template']>;

export interface ReplicaSetLike {
  metadata?: {
    name?: string;
    uid?: string;
    annotations?: Record<string, string>;
    creationTimestamp?: string | Date;
    ownerReferences?: Array<{ uid?: string; controller?: boolean; kind?: string }>;
  };
  spec?: { template?: Template; replicas?: number };
}

/** The ReplicaSets a Deployment controls (IsControlledBy: a controller ownerReference with its uid). */
export function ownedReplicaSets<T extends ReplicaSetLike>(deployment: DeploymentLike, replicaSets: T[]): T[] {
  const uid = deployment.metadata?.uid;
  if (!uid) return [];
  return replicaSets.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((o) => o.uid === uid && o.controller === true));
}

export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number | null {
  const raw = obj.metadata?.annotations?.[REVISION_ANNOTATION];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** JSON with sorted keys, for comparing templates whatever the field order. */
export function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A pod template without the `pod-template-hash` label (a plain copy). */
export function withoutHash(template: Template | undefined): Template {
  const copy = JSON.parse(JSON.stringify(template ?? {})) as Template;
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH];
  }
  return copy;
}

export function templatesEqualIgnoringHash(a: Template | undefined, b: Template | undefined): boolean {
  return canonical(withoutHash(a)) === canonical(withoutHash(b));
}

export interface RollbackTarget<T extends ReplicaSetLike> {
  replicaSet: T;
  revision: number;
}

/** kubectl's deploymentRevision: a named revision, or (0 / omitted) the newest revision before the latest. */
export function selectRollbackTarget<T extends ReplicaSetLike>(service: string, deployment: DeploymentLike, owned: T[], toRevision?: string): RollbackTarget<T> {
  if (deployment.spec?.paused) {
    throw new ConvoyError('ROLLBACK_REFUSED', `${service}: the Deployment is paused; resume it (kubectl rollout resume) before rolling back`);
  }
  const withRevision = owned.map((rs) => ({ rs, revision: revisionOf(rs) })).filter((x): x is { rs: T; revision: number } => x.revision !== null);
  const known = [...new Set(withRevision.map((x) => x.revision))].sort((a, b) => b - a);
  const wanted = toRevision === undefined || toRevision === '' ? 0 : Number(toRevision);
  if (!Number.isInteger(wanted) || wanted < 0) {
    throw new ConvoyError('ROLLBACK_REFUSED', `${service}: "${toRevision}" is not a revision number; known revisions: ${known.join(', ') || 'none'}`);
  }
  if (wanted > 0) {
    const hit = withRevision.find((x) => x.revision === wanted);
    if (!hit) throw new ConvoyError('ROLLBACK_REFUSED', `${service}: revision ${wanted} not found; known revisions: ${known.join(', ') || 'none'}`);
    return { replicaSet: hit.rs, revision: hit.revision };
  }
  const sorted = [...withRevision].sort((a, b) => b.revision - a.revision);
  const previous = sorted[1];
  if (!previous) throw new ConvoyError('ROLLBACK_REFUSED', `${service}: no earlier revision to roll back to (known revisions: ${known.join(', ') || 'none'})`);
  return { replicaSet: previous.rs, revision: previous.revision };
}

/** The Deployment annotations after rollback: skip-list ones kept from the Deployment, the rest from the ReplicaSet. */
export function rollbackAnnotations(deployment: DeploymentLike, rs: ReplicaSetLike): Record<string, string> {
  const out: Record<string, string> = {};
  const current = deployment.metadata?.annotations ?? {};
  for (const key of ANNOTATIONS_TO_SKIP) if (current[key] !== undefined) out[key] = current[key];
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) out[k] = v;
  return out;
}

/** kubectl's JSON patch: replace spec.template, set metadata.annotations (`add` also creates the map). */
export function rollbackPatch(deployment: DeploymentLike, rs: ReplicaSetLike): Array<{ op: string; path: string; value: unknown }> {
  return [
    { op: 'replace', path: '/spec/template', value: withoutHash(rs.spec?.template) },
    { op: 'add', path: '/metadata/annotations', value: rollbackAnnotations(deployment, rs) },
  ];
}

/** The service's image in a template: the container named like the service, else the first. */
export function templateImage(template: Template | undefined, service: string): string | null {
  const containers = template?.spec?.containers ?? [];
  const named = containers.find((c) => c.name === service) ?? containers[0];
  return named?.image ?? null;
}

function iso(value: string | Date | undefined): string | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Revisions newest first, from the Deployment's own ReplicaSets. */
export function listRevisions(service: string, deployment: DeploymentLike, owned: ReplicaSetLike[]): TargetRevision[] {
  const current = revisionOf(deployment);
  return owned
    .map((rs) => ({ rs, revision: revisionOf(rs) }))
    .filter((x): x is { rs: ReplicaSetLike; revision: number } => x.revision !== null)
    .sort((a, b) => b.revision - a.revision)
    .map(({ rs, revision }) => {
      const annotations = rs.spec?.template?.metadata?.annotations ?? {};
      return {
        service,
        revision: String(revision),
        image: templateImage(rs.spec?.template, service),
        commit: annotations[ANNOTATION_COMMIT] ?? null,
        releaseId: annotations[ANNOTATION_RELEASE] ?? null,
        createdAt: iso(rs.metadata?.creationTimestamp),
        current: current !== null && revision === current,
      };
    });
}
