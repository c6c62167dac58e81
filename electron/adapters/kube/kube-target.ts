// The Kubernetes deploy target: one environment = one kubeconfig context + one namespace. Applies a
// release's manifests with server-side apply (field manager `convoy`), diffs by server-side dry run,
// waits with kubectl's rollout rules and rolls back as `kubectl rollout undo` does.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ConvoyError } from '../../../shared/errors.js';
import type {
  AppliedObject,
  ApplyOptions,
  ApplyResult,
  DeployTargetPort,
  DeployUnit,
  ObjectDiff,
  ObjectWritten,
  TargetCallOptions,
  TargetDiff,
} from '../../core/ports/deploy-target.js';
import { KubeClient } from './client.js';
import { rollbackService, serviceRevisions, servicesStatus, waitForRollouts } from './deployments.js';
import { diffObject } from './diff.js';
import { conflictError, httpStatusOf, parseConflicts, statusOf } from './errors.js';
import { loadKubeConfig } from './kubeconfig.js';
import { LABEL_MANAGED_BY, LABEL_PROJECT, type RenderedObject } from './manifests.js';
import { liveObjects, refOf, versionOf } from './objects.js';
import { loadAll, prepare } from './prepare.js';
import { checkApplyPermissions } from './permissions.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';

/**
 * What remove() deletes of a service: the kinds a service's deploy/ manifests hold (apply labels every
 * object it writes with managed-by and the project), Deployments first so the pods go before what they use.
 */
const REMOVABLE_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
] as const;

export interface KubeTargetConfig {
  environment: string;
  context: string;
  namespace: string;
  createNamespace?: boolean;
  /** Else KUBECONFIG, else ~/.kube/config. */
  kubeconfigPath?: string;
  /** Default 'convoy'. */
  fieldManager?: string;
  /** waitReady's poll interval; default 500 ms. */
  pollIntervalMs?: number;
  /** Retries of idempotent calls; `requestTimeoutMs` bounds each attempt (default 30 s). */
  retry?: { attempts: number; baseDelayMs: number; requestTimeoutMs?: number };
  /** The retry back-off's wait; tests pass one that returns at once (no real sleeps). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * An apply that failed part-way says which objects it had already written: nothing is left
 * half-applied without saying so (a rollback restores Deployments, as `rollout undo` does).
 */
function withApplied(err: unknown, applied: readonly AppliedObject[]): unknown {
  const written = applied.filter((a) => a.action !== 'unchanged');
  if (!(err instanceof ConvoyError) || written.length === 0) return err;
  const list = written.map((a) => `${a.object} (${a.action})`).join(', ');
  return new ConvoyError(err.code, `${err.message}; already applied in this call: ${list}`);
}

export function createKubeTarget(config: KubeTargetConfig): DeployTargetPort {
  const fieldManager = config.fieldManager ?? 'convoy';
  const pollIntervalMs = config.pollIntervalMs ?? 500;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...(config.retry ?? {}) };
  let client: KubeClient | null = null;

  /** The kubeconfig is read on first use, so a bad context fails the call (with its message), not the app. */
  function kube(): KubeClient {
    if (!client) {
      const { kc } = loadKubeConfig(config.context, config.kubeconfigPath);
      client = new KubeClient({
        kc,
        environment: config.environment,
        context: config.context,
        namespace: config.namespace,
        retry,
        sleep: config.sleep,
      });
    }
    return client;
  }

  async function withProgress<T>(options: TargetCallOptions | undefined, run: () => Promise<T>): Promise<T> {
    if (options?.signal?.aborted) throw new ConvoyError('CANCELLED', `Call to environment ${config.environment} was cancelled`);
    return run();
  }

  const prepareConfig = { environment: config.environment, namespace: config.namespace, createNamespace: config.createNamespace ?? false };

  /** Applies one object; a conflict only with Convoy's own earlier writes (a rollback's patch) is taken over. */
  async function applyOne(c: KubeClient, o: RenderedObject, force: boolean, dryRun: boolean, options: TargetCallOptions): Promise<KubernetesObject> {
    try {
      return await c.apply(o.object, { fieldManager, force, dryRun, signal: options.signal, progress: options.progress });
    } catch (err) {
      if (httpStatusOf(err) !== 409) throw err;
      const conflicts = parseConflicts(statusOf(err));
      if (conflicts.length > 0 && conflicts.every((x) => x.manager === fieldManager)) {
        options.progress?.(`${o.ref}: fields last written by Convoy's own rollback (${conflicts.map((x) => x.field).join(', ')}); taking them back`);
        return c.apply(o.object, { fieldManager, force: true, dryRun, signal: options.signal, progress: options.progress });
      }
      throw conflictError(conflicts, c.ctx(o.ref, o.object.metadata.namespace ?? '(cluster)'));
    }
  }

  return {
    kind: 'kubernetes',
    environment: config.environment,

    diff(units, options) {
      return withProgress(options, async () => {
        const c = kube();
        const prepared = await prepare(c, prepareConfig, units, options);
        const objects: ObjectDiff[] = [];
        const secretsOf = new Map(units.map((u) => [u.service, new Set(u.secrets ?? [])]));
        for (const o of prepared.objects) {
          if (options?.signal?.aborted) throw new ConvoyError('CANCELLED', `Diff of ${config.environment} was cancelled`);
          const live = await c.get(o.object, options);
          let desired: unknown;
          let note = '';
          try {
            desired = await applyOne(c, o, false, true, options ?? {});
          } catch (err) {
            if (err instanceof ConvoyError && err.code === 'KUBE_CONFLICT') {
              note = `# ${err.message}\n`;
              desired = await c.apply(o.object, { fieldManager, force: true, dryRun: true, signal: options?.signal, progress: options?.progress });
            } else if (!live && err instanceof ConvoyError && err.code === 'KUBE_NOT_FOUND') {
              desired = o.object; // its namespace does not exist yet: show the manifest as rendered
            } else throw err;
          }
          const d = diffObject(o.ref, live, desired, secretsOf.get(o.service));
          objects.push({ service: o.service, object: o.ref, change: d.change, diff: note + d.diff });
        }
        return { environment: config.environment, objects, text: objects.map((o) => o.diff).filter(Boolean).join('') } satisfies TargetDiff;
      });
    },

    apply(units: DeployUnit[], options?: ApplyOptions) {
      return withProgress(options, async () => {
        const c = kube();
        const prepared = await prepare(c, prepareConfig, units, options);
        await checkApplyPermissions(c, prepared.objects, config.environment, options);
        const applied: AppliedObject[] = [];
        for (const o of prepared.objects) {
          if (options?.signal?.aborted) throw new ConvoyError('CANCELLED', `Apply to ${config.environment} was cancelled after ${applied.length} objects`);
          try {
            const live = await c.get(o.object, options);
            const write = { ...refOf(o), before: versionOf(live) };
            const skip = options?.objects?.done?.(write) ?? null;
            if (skip !== null) {
              applied.push({ service: o.service, object: o.ref, action: 'unchanged' });
              options?.progress?.(`${o.ref}: ${skip}`);
              continue;
            }
            // One object's write alone, so its journal rows (intent, result) bracket exactly it.
            const writeOne = async (): Promise<ObjectWritten> => {
              const result = await applyOne(c, o, options?.force === true, false, options ?? {});
              const after = versionOf(result);
              const action: AppliedObject['action'] = !live ? 'created' : write.before.resourceVersion !== null && write.before.resourceVersion === after.resourceVersion ? 'unchanged' : 'configured';
              return { action, after };
            };
            const { action } = options?.objects ? await options.objects.write(write, writeOne) : await writeOne();
            applied.push({ service: o.service, object: o.ref, action });
            options?.progress?.(`${o.ref} ${action}`);
          } catch (err) {
            throw withApplied(err, applied);
          }
        }
        return { environment: config.environment, objects: applied } satisfies ApplyResult;
      });
    },

    waitReady(units, options) {
      return withProgress(options, async () => {
        const c = kube();
        const loaded = await loadAll(units);
        const targets = loaded.map(({ unit, sourced }) => ({
          service: unit.service,
          deployments: sourced.filter((s) => s.object.kind === 'Deployment').map((s) => s.object.metadata.name),
        }));
        return waitForRollouts(c, targets, options, pollIntervalMs, config.environment);
      });
    },

    status(services, options) {
      return withProgress(options, () => servicesStatus(kube(), services, options));
    },

    revisions(service, options) {
      return withProgress(options, () => serviceRevisions(kube(), service, options));
    },

    rollback(service, toRevision, options) {
      return withProgress(options, async () => {
        const c = kube();
        const result = await rollbackService(c, service, toRevision, fieldManager, options);
        return result;
      });
    },

    remove(service, options) {
      return withProgress(options, async () => {
        const c = kube();
        const selector = `${LABEL_MANAGED_BY}=convoy,${LABEL_PROJECT}=${service}`;
        const removed: string[] = [];
        for (const { apiVersion, kind } of REMOVABLE_KINDS) {
          for (const name of await c.listNames(apiVersion, kind, selector, options)) {
            if (options?.signal?.aborted) throw new ConvoyError('CANCELLED', `Removal of ${service} from ${config.environment} was cancelled after ${removed.length} objects`);
            await c.deleteObject(apiVersion, kind, name, options);
            removed.push(`${kind} ${config.namespace}/${name}`);
            options?.progress?.(`${kind} ${config.namespace}/${name} deleted`);
          }
        }
        return { service, removed };
      });
    },

    objects(refs, options) {
      return withProgress(options, () => liveObjects(kube(), refs, options));
    },

    async close() {
      client = null;
    },
  };
}
