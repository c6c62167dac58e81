// Rollout status as `kubectl rollout status` judges a Deployment, plus fail-fast pod warnings of the
// new ReplicaSet's pods (a bad image or a crash loop fails the rollout long before its deadline). Pure.

export interface LabelSelectorLike {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** The fields of a Deployment the rules read (client-node's V1Deployment and plain JSON both fit). */
export interface DeploymentLike {
  metadata?: { name?: string; namespace?: string; generation?: number; annotations?: Record<string, string>; uid?: string };
  spec?: {
    replicas?: number;
    paused?: boolean;
    selector?: LabelSelectorLike;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: { containers?: Array<{ name?: string; image?: string }> } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    readyReplicas?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

export interface RolloutState {
  done: boolean;
  /** Set when the rollout cannot finish (progress deadline exceeded). */
  failed: string | null;
  message: string;
}

/** The ReplicaSet a ProgressDeadlineExceeded condition names (the controller writes `ReplicaSet "x" has timed out progressing.`). */
export function timedOutReplicaSet(d: DeploymentLike): string | null {
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason !== 'ProgressDeadlineExceeded') return null;
  return /^ReplicaSet "([^"]+)" has timed out progressing/.exec(progressing.message ?? '')?.[1] ?? null;
}

/**
 * kubectl's DeploymentStatusViewer rules, message worded for the console, with one exception: given
 * the Deployment's current ReplicaSet, a ProgressDeadlineExceeded that names another ReplicaSet is
 * stale and does not fail the rollout. The deployment controller leaves that condition in place when
 * a Deployment goes back to an existing ReplicaSet (a rollback after a timed-out release) until the
 * rollout makes progress, so kubectl would call a healthy rollback failed for a moment.
 */
export function deploymentRolloutState(d: DeploymentLike, label = d.metadata?.name ?? 'deployment', currentReplicaSet?: string | null): RolloutState {
  const generation = d.metadata?.generation ?? 0;
  const status = d.status ?? {};
  const observed = status.observedGeneration ?? 0;
  if (generation > observed) return { done: false, failed: null, message: `${label}: waiting for the deployment spec update to be observed` };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  const named = timedOutReplicaSet(d);
  const stale = currentReplicaSet != null && named !== null && named !== currentReplicaSet;
  if (progressing?.reason === 'ProgressDeadlineExceeded' && !stale) {
    return { done: false, failed: `${label}: deployment exceeded its progress deadline (ProgressDeadlineExceeded${progressing.message ? `: ${progressing.message}` : ''})`, message: `${label}: progress deadline exceeded` };
  }
  const desired = d.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) return { done: false, failed: null, message: `${label}: ${updated} of ${desired} new replicas updated` };
  if (replicas > updated) return { done: false, failed: null, message: `${label}: ${replicas - updated} old replicas pending termination` };
  if (available < updated) return { done: false, failed: null, message: `${label}: ${available} of ${updated} updated replicas available` };
  return { done: true, failed: null, message: `${label}: ${available} of ${updated} updated replicas available — rolled out` };
}

export interface PodLike {
  metadata?: { name?: string; ownerReferences?: Array<{ uid?: string; controller?: boolean }> };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
}

interface ContainerStatusLike {
  name?: string;
  image?: string;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
}

/** Waiting reasons that will not resolve by waiting. */
export const FATAL_WAITING_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export interface PodProblem {
  pod: string;
  container: string | null;
  reason: string;
  message: string;
}

/** The first fatal problem of a pod: a container stuck in a fatal waiting reason, or Unschedulable. */
export function podProblem(pod: PodLike): PodProblem | null {
  const name = pod.metadata?.name ?? '?';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    const waiting = cs.state?.waiting;
    if (waiting?.reason && FATAL_WAITING_REASONS.has(waiting.reason)) {
      return { pod: name, container: cs.name ?? null, reason: waiting.reason, message: waiting.message ?? '' };
    }
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { pod: name, container: null, reason: 'Unschedulable', message: scheduled.message ?? '' };
  }
  return null;
}

export function describeProblem(service: string, p: PodProblem): string {
  const container = p.container ? `, container ${p.container}` : '';
  return `${service}: pod ${p.pod}${container}: ${p.reason}${p.message ? ` — ${p.message}` : ''}`;
}

/** Label selector string (`a=b,c in (d,e)`) from a Deployment's selector. */
export function selectorString(selector: LabelSelectorLike | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
