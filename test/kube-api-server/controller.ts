// In-process controllers: Deployment → ReplicaSets (revisions, rolling scale, history limit,
// status and conditions), ReplicaSet → Pods, and the kubelet stand-in for pod status.
import type { Api } from './api.js';
import { desiredPodStatus, podIsReady, type PodTiming } from './kubelet.js';
import { resourceByName, type ResourceInfo } from './resources.js';
import type { Store } from './store.js';
import { child, clone, deepEqual, dig, isPlainObject, meta, podTemplateHash, randomSuffix, timestamp, type KubeObject } from './util.js';

const REVISION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';
const SKIPPED_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);
const CONTROLLER = { manager: 'kube-controller-manager' };

function must(name: string): ResourceInfo {
  const info = resourceByName(name);
  if (!info) throw new Error(`unknown resource ${name}`);
  return info;
}

const PODS = must('pods');
const REPLICASETS = must('replicasets');
const DEPLOYMENTS = must('deployments');

function revisionOf(object: KubeObject): number {
  return Number(meta(object).annotations?.[REVISION] ?? 0) || 0;
}

function controlledBy(object: KubeObject, uid: unknown): boolean {
  return (meta(object).ownerReferences ?? []).some((ref) => ref.controller && ref.uid === uid);
}

function templateWithoutHash(template: unknown): unknown {
  const copy = clone(template);
  const labels = dig(copy, 'metadata', 'labels');
  if (isPlainObject(labels)) delete labels[HASH_LABEL];
  return copy;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** maxUnavailable as a count (percentages round down, like the controller). */
function maxUnavailable(deployment: KubeObject, replicas: number): number {
  if (dig(deployment, 'spec', 'strategy', 'type') !== 'RollingUpdate') return 0;
  const raw = dig(deployment, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable');
  if (typeof raw === 'number') return Math.min(raw, replicas);
  if (typeof raw === 'string' && raw.endsWith('%')) return Math.min(Math.floor((replicas * parseInt(raw, 10)) / 100), replicas);
  return 0;
}

interface Progress {
  key: string;
  at: number;
}

export class Controllers {
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  private unsubscribe: (() => void) | undefined;
  private readonly born = new Map<string, number>();
  private readonly ips = new Map<string, string>();
  private readonly progress = new Map<string, Progress>();
  private running = false;
  private readonly readyTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly api: Api,
    private readonly store: Store,
    private readonly readyAfterMs: number,
    private readonly failureFor: PodTiming['failureFor'],
  ) {}

  start(): void {
    const tick = Math.min(100, Math.max(10, Math.floor(this.readyAfterMs / 3)));
    this.timer = setInterval(() => this.reconcile(), tick);
    this.timer.unref();
    this.unsubscribe = this.store.subscribe((event) => {
      if (['pods', 'replicasets', 'deployments'].includes(event.resource)) this.schedule();
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const timer of this.readyTimers) clearTimeout(timer);
    this.readyTimers.clear();
    this.unsubscribe?.();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.reconcile();
    });
  }

  /** One pass over pods, replica sets and deployments. Errors never escape the timer. */
  reconcile(): void {
    if (this.running) return;
    this.running = true;
    try {
      const now = Date.now();
      // The stored objects, not copies: a pass reads every pod, replica set and deployment (and each
      // one's children), so copying them made a pass quadratic in copies — about half a second with 50
      // Deployments, on every tick, which starved the HTTP handlers. Writes go through the Api, which copies.
      for (const pod of this.store.scan('pods', null)) this.guard(() => this.syncPod(pod, now));
      for (const rs of this.store.scan('replicasets', null)) this.guard(() => this.syncReplicaSet(rs));
      for (const d of this.store.scan('deployments', null)) this.guard(() => this.syncDeployment(d, now));
    } finally {
      this.running = false;
    }
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      // A conflicting concurrent write; the next tick retries.
    }
  }

  private timing(): PodTiming {
    return {
      readyAfterMs: this.readyAfterMs,
      bornAt: (uid) => {
        if (!this.born.has(uid)) {
          this.born.set(uid, Date.now());
          // A kubelet reports a pod ready as soon as it is; waiting for the next tick made every
          // rollout up to a tick longer than podReadyAfterMs.
          const timer = setTimeout(() => {
            this.readyTimers.delete(timer);
            this.schedule();
          }, this.readyAfterMs);
          timer.unref();
          this.readyTimers.add(timer);
        }
        return this.born.get(uid)!;
      },
      failureFor: this.failureFor,
      podIp: (uid) => {
        if (!this.ips.has(uid)) this.ips.set(uid, `10.244.0.${(this.ips.size % 250) + 2}`);
        return this.ips.get(uid)!;
      },
    };
  }

  private writeStatus(info: ResourceInfo, object: KubeObject, status: Record<string, unknown>, manager = CONTROLLER.manager): void {
    if (deepEqual(object.status, status)) return;
    const m = meta(object);
    this.api.update(info, m.namespace ?? null, String(m.name), { ...object, status }, { manager, subresource: 'status' });
  }

  private syncPod(pod: KubeObject, now: number): void {
    this.writeStatus(PODS, pod, desiredPodStatus(pod, this.timing(), now), 'kubelet');
  }

  private syncReplicaSet(rs: KubeObject): void {
    const m = meta(rs);
    const namespace = String(m.namespace);
    const desired = num(dig(rs, 'spec', 'replicas'));
    let pods = this.store.scan('pods', namespace).filter((p) => controlledBy(p, m.uid));
    if (pods.length < desired) {
      const template = (dig(rs, 'spec', 'template') ?? {}) as Record<string, unknown>;
      for (let i = pods.length; i < desired; i++) {
        const tmeta = isPlainObject(template.metadata) ? template.metadata : {};
        const pod: KubeObject = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${String(m.name)}-${randomSuffix()}`,
            generateName: `${String(m.name)}-`,
            namespace,
            labels: clone(tmeta.labels ?? {}),
            ...(isPlainObject(tmeta.annotations) ? { annotations: clone(tmeta.annotations) } : {}),
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: String(m.name), uid: String(m.uid), controller: true, blockOwnerDeletion: true }],
          },
          spec: { ...clone((template.spec ?? {}) as Record<string, unknown>), nodeName: 'kube-api-server-node' },
        };
        this.api.create(PODS, namespace, pod, CONTROLLER);
      }
    } else if (pods.length > desired) {
      const victims = [...pods]
        .sort((a, b) => Number(podIsReady(a)) - Number(podIsReady(b)) || Number(meta(b).resourceVersion) - Number(meta(a).resourceVersion))
        .slice(0, pods.length - desired);
      for (const victim of victims) this.api.delete(PODS, namespace, String(meta(victim).name), {});
    }
    pods = this.store.scan('pods', namespace).filter((p) => controlledBy(p, m.uid));
    const ready = pods.filter(podIsReady).length;
    const status: Record<string, unknown> = { replicas: pods.length };
    if (pods.length > 0) status.fullyLabeledReplicas = pods.length;
    if (ready > 0) {
      status.readyReplicas = ready;
      status.availableReplicas = ready;
    }
    status.observedGeneration = m.generation;
    const current = this.store.peek('replicasets', namespace, String(m.name));
    if (current) this.writeStatus(REPLICASETS, current, status);
  }

  private ownedReplicaSets(deployment: KubeObject): KubeObject[] {
    const m = meta(deployment);
    return this.store.scan('replicasets', String(m.namespace)).filter((rs) => controlledBy(rs, m.uid));
  }

  private syncDeployment(deployment: KubeObject, now: number): void {
    const m = meta(deployment);
    const namespace = String(m.namespace);
    const name = String(m.name);
    const spec = (deployment.spec ?? {}) as Record<string, unknown>;
    const paused = spec.paused === true;
    const desired = num(spec.replicas);
    const template = spec.template;
    let sets = this.ownedReplicaSets(deployment);
    const maxRevision = Math.max(0, ...sets.map(revisionOf));
    let newRs = sets.find((rs) => deepEqual(templateWithoutHash(dig(rs, 'spec', 'template')), template));

    if (!paused) {
      if (!newRs) newRs = this.createReplicaSet(deployment, maxRevision + 1, sets);
      else if (revisionOf(newRs) < maxRevision) newRs = this.bumpRevision(deployment, newRs, maxRevision + 1);
      this.setDeploymentRevision(deployment, newRs);
      sets = this.ownedReplicaSets(deployment);
      newRs = sets.find((rs) => meta(rs).uid === meta(newRs!).uid)!;
      this.scale(deployment, newRs, sets, desired);
      this.cleanup(deployment, newRs);
      sets = this.ownedReplicaSets(deployment);
      newRs = sets.find((rs) => meta(rs).uid === meta(newRs!).uid);
    }
    const fresh = this.store.peek('deployments', namespace, name);
    if (fresh) this.writeStatus(DEPLOYMENTS, fresh, this.deploymentStatus(fresh, newRs, sets, now));
  }

  private createReplicaSet(deployment: KubeObject, revision: number, existing: KubeObject[]): KubeObject {
    const m = meta(deployment);
    const spec = deployment.spec as Record<string, unknown>;
    let collision = 0;
    let hash = podTemplateHash(spec.template);
    while (existing.some((rs) => meta(rs).name === `${String(m.name)}-${hash}`) || this.store.peek('replicasets', String(m.namespace), `${String(m.name)}-${hash}`)) {
      hash = podTemplateHash({ template: spec.template, collision: ++collision });
    }
    const template = clone(spec.template) as Record<string, unknown>;
    const tmeta = child(template, 'metadata');
    tmeta.labels = { ...((tmeta.labels as Record<string, string> | undefined) ?? {}), [HASH_LABEL]: hash };
    const selector = clone(spec.selector) as Record<string, unknown>;
    selector.matchLabels = { ...((selector.matchLabels as Record<string, string> | undefined) ?? {}), [HASH_LABEL]: hash };
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${String(m.name)}-${hash}`,
        namespace: m.namespace,
        labels: tmeta.labels,
        annotations: { ...this.copiedAnnotations(deployment), [REVISION]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(num(spec.replicas)) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: String(m.name), uid: String(m.uid), controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}), selector, template },
    };
    this.markProgress(deployment, Date.now(), `new:${String(meta(rs).name)}`);
    return this.api.create(REPLICASETS, String(m.namespace), rs, CONTROLLER);
  }

  private copiedAnnotations(deployment: KubeObject): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(meta(deployment).annotations ?? {})) if (!SKIPPED_ANNOTATIONS.has(k)) out[k] = v;
    return out;
  }

  private bumpRevision(deployment: KubeObject, rs: KubeObject, revision: number): KubeObject {
    const copy = clone(rs);
    const annotations = { ...(meta(copy).annotations ?? {}), ...this.copiedAnnotations(deployment), [REVISION]: String(revision) };
    meta(copy).annotations = annotations;
    return this.api.update(REPLICASETS, String(meta(rs).namespace), String(meta(rs).name), copy, CONTROLLER);
  }

  private setDeploymentRevision(deployment: KubeObject, rs: KubeObject): void {
    const revision = String(revisionOf(rs));
    const m = meta(deployment);
    if (m.annotations?.[REVISION] === revision) return;
    const copy = clone(deployment);
    meta(copy).annotations = { ...(m.annotations ?? {}), [REVISION]: revision };
    this.api.update(DEPLOYMENTS, String(m.namespace), String(m.name), copy, CONTROLLER);
  }

  private setReplicas(rs: KubeObject, replicas: number): void {
    if (num(dig(rs, 'spec', 'replicas')) === replicas) return;
    const copy = clone(rs);
    (copy.spec as Record<string, unknown>).replicas = replicas;
    this.api.update(REPLICASETS, String(meta(rs).namespace), String(meta(rs).name), copy, CONTROLLER);
  }

  private scale(deployment: KubeObject, newRs: KubeObject, sets: KubeObject[], desired: number): void {
    const olds = sets.filter((rs) => rs !== newRs).sort((a, b) => revisionOf(b) - revisionOf(a));
    this.setReplicas(newRs, desired);
    if (dig(deployment, 'spec', 'strategy', 'type') === 'Recreate') {
      for (const rs of olds) this.setReplicas(rs, 0);
      return;
    }
    let allowed = Math.max(0, desired - num(dig(newRs, 'status', 'availableReplicas')));
    for (const rs of olds) {
      const keep = Math.min(num(dig(rs, 'spec', 'replicas')), allowed);
      allowed -= keep;
      this.setReplicas(rs, keep);
    }
  }

  private cleanup(deployment: KubeObject, newRs: KubeObject): void {
    const limit = num(dig(deployment, 'spec', 'revisionHistoryLimit'));
    const idle = this.ownedReplicaSets(deployment)
      .filter((rs) => meta(rs).uid !== meta(newRs).uid && num(dig(rs, 'spec', 'replicas')) === 0 && num(dig(rs, 'status', 'replicas')) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      this.api.delete(REPLICASETS, String(meta(rs).namespace), String(meta(rs).name), {});
    }
  }

  private markProgress(deployment: KubeObject, now: number, key: string): number {
    const id = String(meta(deployment).uid);
    const last = this.progress.get(id);
    if (!last || last.key !== key) this.progress.set(id, { key, at: now });
    return this.progress.get(id)!.at;
  }

  /** A ProgressDeadlineExceeded fault on one of the template's images: the deadline counts as passed. */
  private deadlineInjected(deployment: KubeObject): boolean {
    const containers = (dig(deployment, 'spec', 'template', 'spec', 'containers') as unknown[] | undefined) ?? [];
    return containers.some((c) => isPlainObject(c) && this.failureFor(String(c.image ?? '')) === 'ProgressDeadlineExceeded');
  }

  private deploymentStatus(deployment: KubeObject, newRs: KubeObject | undefined, sets: KubeObject[], now: number): Record<string, unknown> {
    const m = meta(deployment);
    const desired = num(dig(deployment, 'spec', 'replicas'));
    const sum = (path: string[]) => sets.reduce((total, rs) => total + num(dig(rs, ...path)), 0);
    const replicas = sum(['status', 'replicas']);
    const updated = newRs ? num(dig(newRs, 'status', 'replicas')) : 0;
    const ready = sum(['status', 'readyReplicas']);
    const available = sum(['status', 'availableReplicas']);
    const unavailable = Math.max(0, sum(['spec', 'replicas']) - available);
    const status: Record<string, unknown> = { observedGeneration: m.generation };
    if (replicas) status.replicas = replicas;
    if (updated) status.updatedReplicas = updated;
    if (ready) status.readyReplicas = ready;
    if (available) status.availableReplicas = available;
    if (unavailable) status.unavailableReplicas = unavailable;

    const old = (dig(deployment, 'status', 'conditions') as Array<Record<string, unknown>> | undefined) ?? [];
    const time = timestamp(now);
    const cond = (type: string, value: string, reason: string, message: string): Record<string, unknown> => {
      const prev = old.find((c) => c.type === type);
      const same = prev && prev.status === value;
      const unchanged = same && prev.reason === reason && prev.message === message;
      return {
        type,
        status: value,
        lastUpdateTime: unchanged ? prev.lastUpdateTime : time,
        lastTransitionTime: same ? prev.lastTransitionTime : time,
        reason,
        message,
      };
    };
    const minAvailable = desired - maxUnavailable(deployment, desired);
    const conditions = [
      available >= minAvailable
        ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
    ];
    const rsName = newRs ? String(meta(newRs).name) : '';
    const deadline = num(dig(deployment, 'spec', 'progressDeadlineSeconds'));
    const complete = newRs !== undefined && updated === desired && replicas === desired && available >= desired;
    const started = this.markProgress(deployment, now, `${rsName}:${updated}:${available}:${replicas}`);
    const previous = old.find((c) => c.type === 'Progressing');
    if (dig(deployment, 'spec', 'paused') === true) {
      conditions.push(cond('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'));
    } else if (complete) {
      conditions.push(cond('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`));
    } else if (
      (previous?.reason === 'ProgressDeadlineExceeded' && String(previous.message).includes(`"${rsName}"`)) ||
      (deadline > 0 && now - started > deadline * 1000) ||
      this.deadlineInjected(deployment)
    ) {
      conditions.push(cond('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`));
    } else {
      conditions.push(cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`));
    }
    status.conditions = conditions;
    return status;
  }
}
