// The few Kubernetes calls the target makes, over @kubernetes/client-node, each with retries (when
// idempotent) and errors mapped to ConvoyErrors naming the context, namespace and object.
//
// Server-side apply is a PATCH with `Content-Type: application/apply-patch+yaml` (the JSON body is
// valid YAML) and the `fieldManager` / `force` query parameters, with the manifest sent exactly as
// written (see applyExact).
import {
  ApisApi,
  AppsV1Api,
  AuthorizationV1Api,
  CoreApi,
  CoreV1Api,
  HttpMethod,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type KubeConfig,
  type KubernetesObject,
  type V1APIResource,
  type V1Deployment,
  type V1Pod,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { ConvoyError } from '../../../shared/errors.js';
import { afterAttempts, httpStatusOf, parseConflicts, statusOf, toKubeError, type CallContext } from './errors.js';
import { type KubeObject, objectRef } from './manifests.js';
import { retryReason, withRetry, type RetryDeps, type RetryPolicy } from './retry.js';

/** KubernetesObjectApi with its discovery lookup made public (it caches per group version). */
class DiscoveringObjectApi extends KubernetesObjectApi {
  lookup(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    return this.resource(apiVersion, kind);
  }

  /**
   * Server-side apply of the object exactly as given. KubernetesObjectApi.patch first passes a known
   * kind through client-node's generated model, which silently drops every field the model does not
   * know (a newer API field, a typo the server should reject): the apply would then not contain it,
   * and the field manager would give up ownership of it. Here the JSON body is sent unchanged.
   */
  async applyExact<T extends KubernetesObject>(spec: T, dryRun: boolean, fieldManager: string, force: boolean): Promise<T> {
    const uri = await this.specUriPath(spec, 'patch');
    const request = this.configuration.baseServer.makeRequestContext(uri, HttpMethod.PATCH);
    request.setHeaderParam('Accept', 'application/json, */*;q=0.8');
    request.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    request.setQueryParam('fieldManager', fieldManager);
    if (dryRun) request.setQueryParam('dryRun', 'All');
    if (force) request.setQueryParam('force', 'true');
    request.setBody(JSON.stringify(spec));
    return this.requestPromise<T>(request);
  }
}

export interface KubeClientOptions {
  kc: KubeConfig;
  environment: string;
  context: string;
  namespace: string;
  retry: RetryPolicy;
  /** The back-off's wait (tests give one that returns at once); default a timer. */
  sleep?: RetryDeps['sleep'];
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Retries are reported here (`Deployment shop/x: HTTP 503, retry 1 in 180 ms`). */
  progress?: (message: string) => void;
}

function retryDeps(what: string, opts: CallOptions | undefined, sleep?: RetryDeps['sleep']): RetryDeps {
  return {
    sleep,
    signal: opts?.signal,
    onRetry: (attempt: number, delay: number, reason: string) => opts?.progress?.(`${what}: ${reason}, retry ${attempt} in ${delay} ms`),
  };
}

export class KubeClient {
  readonly server: string;
  private readonly objects: DiscoveringObjectApi;
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly groups: ApisApi;
  private readonly legacy: CoreApi;
  private readonly authorization: AuthorizationV1Api;
  private groupVersions: Promise<Set<string>> | null = null;

  constructor(private readonly options: KubeClientOptions) {
    this.server = options.kc.getCurrentCluster()?.server ?? '(unknown server)';
    this.objects = options.kc.makeApiClient(DiscoveringObjectApi);
    this.apps = options.kc.makeApiClient(AppsV1Api);
    this.core = options.kc.makeApiClient(CoreV1Api);
    this.groups = options.kc.makeApiClient(ApisApi);
    this.legacy = options.kc.makeApiClient(CoreApi);
    this.authorization = options.kc.makeApiClient(AuthorizationV1Api);
  }

  /**
   * Whether the current user may do `verb` on the resource, as `kubectl auth can-i` asks it (a
   * SelfSubjectAccessReview, which every authenticated user may create). Null when the server cannot
   * say (it serves no authorization.k8s.io): the write itself is then the check.
   */
  async canI(verb: string, group: string, resource: string, namespace: string | undefined, opts?: CallOptions): Promise<{ allowed: boolean; reason: string } | null> {
    const what = `permission check (can-i ${verb} ${resource}${group ? `.${group}` : ''})`;
    try {
      const review = await withRetry(
        () => this.authorization.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb, group, resource, namespace } } } }),
        true,
        this.options.retry,
        retryDeps(what, opts),
      );
      return { allowed: review.status?.allowed === true, reason: review.status?.reason ?? '' };
    } catch (err) {
      if (httpStatusOf(err) === 404) return null;
      throw toKubeError(err, this.ctx(what));
    }
  }

  ctx(object: string, namespace = this.options.namespace): CallContext {
    return { environment: this.options.environment, context: this.options.context, server: this.server, namespace, object };
  }

  private deps(what: string, opts: CallOptions | undefined): RetryDeps {
    return retryDeps(what, opts, this.options.sleep);
  }

  /** The ConvoyError of a failed call; a transient fault also says how many attempts were made. */
  private fail(err: unknown, ctx: CallContext, idempotent: boolean): ConvoyError {
    const mapped = toKubeError(err, ctx);
    if (retryReason(err) === null) return mapped;
    return afterAttempts(mapped, idempotent ? Math.max(1, this.options.retry.attempts) : 1, idempotent);
  }

  private async run<T>(object: string, idempotent: boolean, call: () => Promise<T>, opts: CallOptions = {}): Promise<T> {
    if (opts.signal?.aborted) throw new ConvoyError('CANCELLED', `${object}: cancelled`);
    try {
      return await withRetry(call, idempotent, this.options.retry, this.deps(object, opts));
    } catch (err) {
      throw this.fail(err, this.ctx(object), idempotent);
    }
  }

  /** Every group version the server serves (`/api` and `/apis`, as kubectl's discovery starts), fetched once. */
  private servedGroupVersions(opts?: CallOptions): Promise<Set<string>> {
    if (!this.groupVersions) {
      this.groupVersions = (async () => {
        const core = await this.run('discovery (/api)', true, () => this.legacy.getAPIVersions(), opts);
        const groups = await this.run('discovery (/apis)', true, () => this.groups.getAPIVersions(), opts);
        const served = new Set<string>(core.versions);
        for (const g of groups.groups) for (const v of g.versions) served.add(v.groupVersion);
        return served;
      })();
      this.groupVersions.catch(() => {
        this.groupVersions = null;
      });
    }
    return this.groupVersions;
  }

  /** Discovery: the resource for a kind, or null when the cluster does not serve it. */
  async served(apiVersion: string, kind: string, opts?: CallOptions): Promise<V1APIResource | null> {
    if (!(await this.servedGroupVersions(opts)).has(apiVersion)) return null;
    const what = `discovery of ${kind} (${apiVersion})`;
    try {
      return (
        (await withRetry(() => this.objects.lookup(apiVersion, kind), true, this.options.retry, this.deps(what, opts))) ?? null
      );
    } catch (err) {
      if (httpStatusOf(err) === 404) return null; // the group version went away since /apis answered
      throw this.fail(err, this.ctx(what), true);
    }
  }

  /** The live object, or null when it does not exist. */
  async get(object: KubeObject, opts?: CallOptions): Promise<KubernetesObject | null> {
    const ref = objectRef(object);
    try {
      return await withRetry(
        () => this.objects.read({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace } }),
        true,
        this.options.retry,
        this.deps(ref, opts),
      );
    } catch (err) {
      if (httpStatusOf(err) === 404) return null;
      throw this.fail(err, this.ctx(ref, object.metadata.namespace ?? '(cluster)'), true);
    }
  }

  /**
   * Server-side apply. A dry run is retried as it is. A real apply is retried only onto the version
   * it was checked against: before each retry the live object is read again, and the retry carries
   * that resourceVersion, so it lands only if nobody wrote the object in between (an earlier attempt
   * that did land makes the retry a no-op). A 409 that lists field conflicts is thrown raw so the
   * caller can read them; any other error (a 409 without conflicts too) is mapped here.
   */
  async apply(object: KubeObject, options: { fieldManager: string; force: boolean; dryRun: boolean } & CallOptions): Promise<KubernetesObject> {
    const ref = objectRef(object);
    const send = (body: KubeObject) => this.objects.applyExact(body as KubernetesObject, options.dryRun, options.fieldManager, options.force);
    let attempt = 0;
    const call = async (): Promise<KubernetesObject> => {
      attempt++;
      if (options.dryRun || attempt === 1) return send(object);
      const live = await this.readRaw(object);
      const version = live?.metadata?.resourceVersion;
      options.progress?.(`${ref}: applying again onto resourceVersion ${version ?? '(none: not created yet)'}`);
      return send(version ? { ...object, metadata: { ...object.metadata, resourceVersion: version } } : object);
    };
    try {
      return await withRetry(call, true, this.options.retry, this.deps(ref, options));
    } catch (err) {
      if (httpStatusOf(err) === 409 && parseConflicts(statusOf(err)).length > 0) throw err;
      const ctx = this.ctx(ref, object.metadata.namespace ?? '(cluster)');
      if (httpStatusOf(err) === 409 && attempt > 1 && !options.dryRun) {
        throw new ConvoyError(
          'KUBE_CONFLICT',
          `${ref} was changed by another writer while Convoy retried its apply after a transient failure ` +
            `(context ${ctx.context}, namespace ${ctx.namespace}, environment ${ctx.environment}); nothing was overwritten — ` +
            `look at who changed it, then release again`,
        );
      }
      throw this.fail(err, ctx, true);
    }
  }

  /** One GET of the live object (no retry of its own: the caller's retry loop covers it); null when absent. */
  private async readRaw(object: KubeObject): Promise<KubernetesObject | null> {
    try {
      return await this.objects.read({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace } });
    } catch (err) {
      if (httpStatusOf(err) === 404) return null;
      throw err;
    }
  }

  readDeployment(name: string, opts?: CallOptions): Promise<V1Deployment> {
    const ns = this.options.namespace;
    return this.run(`Deployment ${ns}/${name}`, true, () => this.apps.readNamespacedDeployment({ name, namespace: ns }), opts);
  }

  async listDeployments(labelSelector: string, opts?: CallOptions): Promise<V1Deployment[]> {
    const ns = this.options.namespace;
    const list = await this.run(`Deployments in ${ns} (${labelSelector})`, true, () => this.apps.listNamespacedDeployment({ namespace: ns, labelSelector }), opts);
    return list.items;
  }

  async listReplicaSets(labelSelector: string, opts?: CallOptions): Promise<V1ReplicaSet[]> {
    const ns = this.options.namespace;
    const list = await this.run(`ReplicaSets in ${ns} (${labelSelector})`, true, () => this.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector }), opts);
    return list.items;
  }

  async listPods(labelSelector: string, opts?: CallOptions): Promise<V1Pod[]> {
    const ns = this.options.namespace;
    const list = await this.run(`Pods in ${ns} (${labelSelector})`, true, () => this.core.listNamespacedPod({ namespace: ns, labelSelector }), opts);
    return list.items;
  }

  /**
   * Calls `onChange` on every change to the named Deployments (all of the namespace's when several)
   * until the returned stop is called. Only a hint to look again: a watch that cannot start or breaks
   * ends quietly, and callers keep polling.
   */
  async watchDeployments(names: readonly string[], onChange: () => void): Promise<() => void> {
    const ns = this.options.namespace;
    const query = names.length === 1 ? { fieldSelector: `metadata.name=${names[0]}` } : {};
    try {
      const watching = await new Watch(this.options.kc).watch(`/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`, query, () => onChange(), () => {});
      return () => watching.abort();
    } catch {
      return () => {};
    }
  }

  /** Names of the namespace's objects of one kind that carry the labels of `labelSelector`. */
  async listNames(apiVersion: string, kind: string, labelSelector: string, opts?: CallOptions): Promise<string[]> {
    const ns = this.options.namespace;
    const list = await this.run(`${kind}s in ${ns} (${labelSelector})`, true, () => this.objects.list(apiVersion, kind, ns, undefined, undefined, undefined, undefined, labelSelector), opts);
    return list.items.map((item) => item.metadata?.name ?? '').filter(Boolean);
  }

  /**
   * Deletes one object of the namespace; its dependents (a Deployment's ReplicaSets and pods) are
   * deleted in the background by the garbage collector. Idempotent, so retried; already gone is fine.
   */
  async deleteObject(apiVersion: string, kind: string, name: string, opts?: CallOptions): Promise<void> {
    const ns = this.options.namespace;
    const ref = `${kind} ${ns}/${name}`;
    try {
      await withRetry(
        () => this.objects.delete({ apiVersion, kind, metadata: { name, namespace: ns } }, undefined, undefined, undefined, undefined, 'Background'),
        true,
        this.options.retry,
        this.deps(ref, opts),
      );
    } catch (err) {
      if (httpStatusOf(err) === 404) return;
      throw this.fail(err, this.ctx(ref), true);
    }
  }

  /** A JSON patch of a Deployment (rollback): not idempotent in general, so never retried. */
  patchDeployment(name: string, patch: unknown[], fieldManager: string, opts?: CallOptions): Promise<V1Deployment> {
    const ns = this.options.namespace;
    return this.run(`Deployment ${ns}/${name}`, false, () => this.apps.patchNamespacedDeployment({ name, namespace: ns, body: patch, fieldManager }), opts);
  }
}
