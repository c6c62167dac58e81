// An in-memory DeployTargetPort for fast tests of services and of the release engine. It keeps a
// revision history per service and follows the real targets' rules (electron/core/ports/deploy-target.ts),
// in the flavour of the target it stands for — the two differ where Kubernetes and Docker differ:
//
//  * kubernetes (electron/adapters/kube, kubectl's rules): a revision is a pod template (image, release,
//    commit). Rolling back — or applying a template an older revision has — renumbers that revision as
//    the newest (its old number disappears, as the deployment controller does), and the rollback result's
//    `current` is null (the controller numbers it). Rolling back to the current template is a no-op.
//    A failing rollout is applied, then fails waitReady (ROLLOUT_FAILED) and shows `failed` in status.
//    `revisions` of a service with no Deployment is KUBE_NOT_FOUND.
//  * docker (electron/adapters/docker-target): a revision is a container spec (image, port, health, env).
//    A rollback copies the restored revision as a new number and keeps the others; `current` is that
//    number. Rolling back to the current revision is refused. A failing rollout fails apply itself
//    (HEALTH_FAILED) and the previous revision keeps serving. `revisions` of an unknown service is [].
//
// test/integration/port-contracts runs the same assertions on this fake and on the real targets.
// Scripting: `failOn` makes a method fail for a service, `failRollout` makes the service's next new
// revision fail to become ready. `calls` records every call.
import { ConvoyError } from '../../shared/errors.js';
import { renderSpec, type ServiceSpec } from '../../electron/adapters/docker-target/spec.js';
import { unifiedDiff } from '../../electron/adapters/text-diff/unified-diff.js';
import type {
  AppliedObject,
  ApplyOptions,
  DeployTargetPort,
  DeployUnit,
  ObjectDiff,
  RollbackResult,
  ServiceStatus,
  TargetCallOptions,
  TargetKind,
  TargetRevision,
  WaitOptions,
} from '../../electron/core/ports/deploy-target.js';

export type FakeTargetMethod = 'diff' | 'apply' | 'waitReady' | 'status' | 'revisions' | 'rollback' | 'remove';

export interface FakeDeployTargetOptions {
  environment?: string;
  /** Which real target's rules to follow. Default 'docker'. */
  kind?: TargetKind;
  /** Kubernetes namespace, shown in object names. Default the environment's name. */
  namespace?: string;
  /** Retired revisions kept per service (docker); Kubernetes keeps its revisionHistoryLimit (10). */
  keepRetired?: number;
  now?: () => Date;
}

export interface FakeRevision {
  revision: number;
  image: string;
  commit: string | null;
  releaseId: string | null;
  createdAt: string;
  /** What makes two revisions the same: a pod template (kubernetes) or a container spec (docker). */
  template: string;
  /** The container spec (docker). */
  spec: ServiceSpec | null;
}

interface ServiceState {
  revisions: FakeRevision[];
  current: number | null;
  /** Why the current revision is not ready, or null when it is. */
  failure: string | null;
}

export interface FakeCall {
  method: FakeTargetMethod;
  services: string[];
  toRevision?: string;
  force?: boolean;
}

const KUBE_HISTORY_LIMIT = 10;

export class FakeDeployTarget implements DeployTargetPort {
  readonly kind: TargetKind;
  readonly environment: string;
  readonly calls: FakeCall[] = [];
  /** How many times close() was called. */
  closed = 0;
  private readonly namespace: string;
  private readonly keepRetired: number;
  private readonly now: () => Date;
  private readonly services = new Map<string, ServiceState>();
  private readonly failures: Array<{ method: FakeTargetMethod; service: string; error: ConvoyError; times: number }> = [];
  private readonly brokenRollouts = new Map<string, string>();

  constructor(options: FakeDeployTargetOptions = {}) {
    this.kind = options.kind ?? 'docker';
    this.environment = options.environment ?? 'local';
    this.namespace = options.namespace ?? this.environment;
    this.keepRetired = options.keepRetired ?? 5;
    this.now = options.now ?? (() => new Date());
  }

  // ---- scripting -----------------------------------------------------------------------------

  /** The next `times` calls of `method` that touch `service` ('*': any) throw `error`. */
  failOn(method: FakeTargetMethod, service: string, error: ConvoyError, times = 1): this {
    this.failures.push({ method, service, error, times });
    return this;
  }

  /** The next revision of `service` that is rolled out does not become ready, for `reason`. */
  failRollout(service: string, reason = `${service}: the new revision crashed on start`): this {
    this.brokenRollouts.set(service, reason);
    return this;
  }

  /** A copy of what the target holds for a service (revisions oldest first). */
  stateOf(service: string): { current: number | null; failure: string | null; revisions: FakeRevision[] } | null {
    const state = this.services.get(service);
    return state ? { current: state.current, failure: state.failure, revisions: state.revisions.map((r) => ({ ...r })) } : null;
  }

  // ---- the port ------------------------------------------------------------------------------

  async diff(units: DeployUnit[], options?: TargetCallOptions) {
    this.enter('diff', units.map((u) => u.service), options);
    const objects: ObjectDiff[] = units.map((unit) => {
      const object = this.objectName(unit.service);
      const current = this.currentOf(unit.service);
      const desired = this.revisionFrom(unit);
      if (!current) return { service: unit.service, object, change: 'add', diff: unifiedDiff([], this.linesOf(desired), '/dev/null', `${object} (new)`) };
      if (this.isUnchanged(unit)) return { service: unit.service, object, change: 'unchanged', diff: '' };
      const diff = unifiedDiff(this.linesOf(current), this.linesOf(desired, current), `${object} (revision ${current.revision})`, `${object} (release ${unit.releaseId})`);
      return { service: unit.service, object, change: 'modify', diff };
    });
    return { environment: this.environment, objects, text: objects.map((o) => o.diff).join('') };
  }

  async apply(units: DeployUnit[], options?: ApplyOptions) {
    this.enter('apply', units.map((u) => u.service), options, { force: options?.force });
    const objects: AppliedObject[] = [];
    for (const unit of units) {
      const object = this.objectName(unit.service);
      const existed = this.currentOf(unit.service) !== null;
      if (this.isUnchanged(unit)) {
        objects.push({ service: unit.service, object, action: 'unchanged' });
        continue;
      }
      this.rollOut(unit.service, this.revisionFrom(unit), options);
      objects.push({ service: unit.service, object, action: existed ? 'configured' : 'created' });
    }
    return { environment: this.environment, objects };
  }

  async waitReady(units: DeployUnit[], options: WaitOptions) {
    this.enter('waitReady', units.map((u) => u.service), options);
    const out: ServiceStatus[] = [];
    for (const unit of units) {
      const where = `${this.environment}/${unit.service}`;
      const state = this.services.get(unit.service);
      if (!state || state.current === null) {
        throw this.kind === 'kubernetes'
          ? new ConvoyError('KUBE_NOT_FOUND', `${unit.service}: no Deployment in namespace ${this.namespace}`)
          : new ConvoyError('HEALTH_FAILED', `${where}: no container ${this.objectName(unit.service)} is deployed`);
      }
      if (state.failure !== null) {
        throw this.kind === 'kubernetes'
          ? new ConvoyError('ROLLOUT_FAILED', `Rollout failed in ${this.environment}: ${state.failure}`)
          : new ConvoyError('HEALTH_FAILED', `${where}: revision ${state.current} is not healthy: ${state.failure}`);
      }
      options.progress?.(`${where}: ready`);
      out.push(this.statusOf(unit.service));
    }
    return out;
  }

  async status(services: string[], options?: TargetCallOptions) {
    this.enter('status', services, options);
    return services.map((service) => this.statusOf(service));
  }

  async revisions(service: string, options?: TargetCallOptions) {
    this.enter('revisions', [service], options);
    const state = this.services.get(service);
    if (!state && this.kind === 'kubernetes') throw new ConvoyError('KUBE_NOT_FOUND', `${service}: no Deployment in namespace ${this.namespace}`);
    return this.listRevisions(service);
  }

  async rollback(service: string, toRevision?: string, options?: TargetCallOptions): Promise<RollbackResult> {
    this.enter('rollback', [service], options, { toRevision });
    const where = this.kind === 'kubernetes' ? service : `${this.environment}/${service}`;
    const state = this.services.get(service);
    const newestFirst = [...(state?.revisions ?? [])].sort((a, b) => b.revision - a.revision);
    const known = newestFirst.map((r) => `${r.revision}${this.kind === 'docker' && r.revision === state?.current ? ' (current)' : ''}`).join(', ') || 'none';
    if (!state || state.current === null) {
      throw new ConvoyError('ROLLBACK_REFUSED', `${where}: nothing is deployed to roll back; known revisions: ${known}`);
    }
    const current = state.current;
    let target: FakeRevision | undefined;
    if (toRevision !== undefined && toRevision !== '') {
      target = newestFirst.find((r) => String(r.revision) === toRevision.trim());
      if (!target) throw new ConvoyError('ROLLBACK_REFUSED', `${where}: unknown revision ${toRevision}; known revisions: ${known}`);
    } else {
      // kubectl: the newest revision but one; the Docker target: the newest below the current one.
      target = this.kind === 'kubernetes' ? newestFirst[1] : newestFirst.find((r) => r.revision < current);
      if (!target) throw new ConvoyError('ROLLBACK_REFUSED', `${where}: no revision before ${current}; known revisions: ${known}`);
    }
    const from = String(current);
    if (target.revision === current) {
      if (this.kind === 'kubernetes') return { service, from, to: from, current: from };
      throw new ConvoyError('ROLLBACK_REFUSED', `${where}: revision ${current} is already current; known revisions: ${known}`);
    }
    options?.progress?.(`${where}: rolling back from revision ${from} to revision ${target.revision}`);
    const restored = this.rollOut(service, { ...target }, options);
    return { service, from, to: String(target.revision), current: this.kind === 'kubernetes' ? null : String(restored) };
  }

  async remove(service: string, options?: TargetCallOptions) {
    this.enter('remove', [service], options);
    // Both real targets take the history with it: Docker's retired containers, Kubernetes' ReplicaSets.
    const existed = this.services.delete(service);
    return { service, removed: existed ? [this.objectName(service)] : [] };
  }

  async close() {
    this.closed++;
  }

  // ---- internals -----------------------------------------------------------------------------

  private enter(method: FakeTargetMethod, services: string[], options: TargetCallOptions | undefined, extra: Partial<FakeCall> = {}): void {
    this.calls.push({ method, services: [...services], ...extra });
    if (options?.signal?.aborted) throw new ConvoyError('CANCELLED', `${method} on ${this.environment} was cancelled`);
    const hit = this.failures.find((f) => f.method === method && f.times > 0 && (f.service === '*' || services.includes(f.service)));
    if (hit) {
      hit.times--;
      throw hit.error;
    }
  }

  private objectName(service: string): string {
    return this.kind === 'kubernetes' ? `Deployment ${this.namespace}/${service}` : `container convoy-${this.environment}-${service}`;
  }

  /** What a diff shows of a revision: the Docker target's own rendering, or the pod template's fields. */
  private linesOf(revision: FakeRevision, previous?: FakeRevision): string[] {
    if (revision.spec) return renderSpec(revision.spec, { state: 'running' }, previous?.spec ?? undefined);
    return [`image: ${revision.image}`, `convoy.dev/release: ${revision.releaseId}`, ...(revision.commit ? [`convoy.dev/commit: ${revision.commit}`] : [])];
  }

  private templateOf(unit: DeployUnit): string {
    if (this.kind === 'kubernetes') return JSON.stringify([unit.image, unit.releaseId, unit.commit]);
    const env = Object.keys(unit.env).sort().map((key) => [key, unit.env[key]]);
    return JSON.stringify([unit.image, unit.port, unit.health, env]);
  }

  private revisionFrom(unit: DeployUnit): FakeRevision {
    return {
      revision: 0,
      image: unit.image,
      commit: unit.commit,
      releaseId: unit.releaseId,
      createdAt: this.now().toISOString(),
      template: this.templateOf(unit),
      spec: this.kind === 'docker' ? { image: unit.image, port: unit.port, health: unit.health, hostPort: null, env: { ...unit.env } } : null,
    };
  }

  private currentOf(service: string): FakeRevision | null {
    const state = this.services.get(service);
    return state?.revisions.find((r) => r.revision === state.current) ?? null;
  }

  private isUnchanged(unit: DeployUnit): boolean {
    const current = this.currentOf(unit.service);
    return current !== null && current.template === this.templateOf(unit);
  }

  /** Makes `next` the newest revision and, unless its rollout is scripted to fail, the ready one. */
  private rollOut(service: string, next: FakeRevision, options: TargetCallOptions | undefined): number {
    const state = this.services.get(service) ?? { revisions: [], current: null, failure: null };
    const number = Math.max(0, ...state.revisions.map((r) => r.revision)) + 1;
    const broken = this.brokenRollouts.get(service);
    this.brokenRollouts.delete(service);
    if (broken !== undefined && this.kind === 'docker') {
      // The candidate never takes over: the previous revision keeps serving and nothing is recorded
      // (a service that was new leaves nothing behind, as the Docker target removes the candidate).
      throw new ConvoyError('HEALTH_FAILED', `${this.environment}/${service}: revision ${number} did not become healthy: ${broken}`);
    }
    this.services.set(service, state);
    let createdAt = this.now().toISOString();
    if (this.kind === 'kubernetes') {
      // The controller reuses the ReplicaSet with the same template (and its age), under the new number.
      const reused = state.revisions.find((r) => r.template === next.template);
      if (reused) createdAt = reused.createdAt;
      state.revisions = state.revisions.filter((r) => r !== reused);
    }
    state.revisions.push({ ...next, revision: number, createdAt });
    state.current = number;
    state.failure = broken ?? null;
    const keep = this.kind === 'kubernetes' ? KUBE_HISTORY_LIMIT + 1 : this.keepRetired + 1;
    state.revisions = state.revisions.sort((a, b) => a.revision - b.revision).slice(-keep);
    options?.progress?.(`${this.environment}/${service}: revision ${number} (${next.image})`);
    return number;
  }

  private statusOf(service: string): ServiceStatus {
    const current = this.currentOf(service);
    const state = this.services.get(service);
    if (!current || !state) return { service, state: 'missing', revision: null, image: null, message: `${service}: nothing deployed in ${this.environment}` };
    const base = { service, revision: String(current.revision), image: current.image };
    if (state.failure !== null) return { ...base, state: 'failed', message: state.failure };
    return { ...base, state: 'ready', message: `revision ${current.revision} ready` };
  }

  private listRevisions(service: string): TargetRevision[] {
    const state = this.services.get(service);
    return [...(state?.revisions ?? [])]
      .sort((a, b) => b.revision - a.revision)
      .map((r) => ({
        service,
        revision: String(r.revision),
        image: r.image,
        commit: r.commit,
        releaseId: r.releaseId,
        createdAt: r.createdAt,
        current: r.revision === state?.current,
      }));
  }
}

export function createFakeDeployTarget(options: FakeDeployTargetOptions = {}): FakeDeployTarget {
  return new FakeDeployTarget(options);
}
