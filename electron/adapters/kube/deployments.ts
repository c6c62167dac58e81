// Reading a service's Deployment back: its status (kubectl's rollout rules plus pod warnings of the
// new ReplicaSet), waiting for a rollout, its revisions and `rollout undo`.
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { ConvoyError } from '../../../shared/errors.js';
import type { RollbackResult, ServiceStatus, TargetRevision, WaitOptions } from '../../core/ports/deploy-target.js';
import type { CallOptions, KubeClient } from './client.js';
import { LABEL_PROJECT } from './manifests.js';
import { listRevisions, ownedReplicaSets, revisionOf, rollbackPatch, selectRollbackTarget, templateImage, templatesEqualIgnoringHash, POD_TEMPLATE_HASH } from './rollback.js';
import { deploymentRolloutState, describeProblem, podProblem, selectorString, timedOutReplicaSet, type PodProblem, type RolloutState } from './rollout.js';
import { sleep } from './retry.js';

/** A service's Deployment: the one labelled with the project (named like it when several), else one named like it. */
export async function findDeployment(client: KubeClient, service: string, opts?: CallOptions): Promise<V1Deployment | null> {
  const labelled = await client.listDeployments(`${LABEL_PROJECT}=${service}`, opts);
  if (labelled.length > 0) return labelled.find((d) => d.metadata?.name === service) ?? labelled[0] ?? null;
  return deploymentNamed(client, service, opts);
}

async function deploymentNamed(client: KubeClient, service: string, opts?: CallOptions): Promise<V1Deployment | null> {
  try {
    return await client.readDeployment(service, opts);
  } catch (err) {
    if (err instanceof ConvoyError && err.code === 'KUBE_NOT_FOUND') return null;
    throw err;
  }
}

export async function ownedReplicaSetsOf(client: KubeClient, deployment: V1Deployment, opts?: CallOptions): Promise<V1ReplicaSet[]> {
  const selector = selectorString(deployment.spec?.selector);
  return ownedReplicaSets(deployment, await client.listReplicaSets(selector, opts));
}

/** The Deployment's current ReplicaSet: the one with its pod template, else the one at its revision. */
async function currentReplicaSetOf(client: KubeClient, deployment: V1Deployment, opts?: CallOptions): Promise<V1ReplicaSet | undefined> {
  const owned = await ownedReplicaSetsOf(client, deployment, opts);
  const revision = revisionOf(deployment);
  return (
    owned.find((rs) => templatesEqualIgnoringHash(rs.spec?.template, deployment.spec?.template)) ??
    (revision !== null ? owned.find((rs) => revisionOf(rs) === revision) : undefined)
  );
}

/** The first fatal problem among the pods of the Deployment's current ReplicaSet. */
export async function newReplicaSetProblem(client: KubeClient, deployment: V1Deployment, opts?: CallOptions): Promise<PodProblem | null> {
  const current = await currentReplicaSetOf(client, deployment, opts);
  const uid = current?.metadata?.uid;
  if (!current || !uid) return null;
  const hash = current.metadata?.labels?.[POD_TEMPLATE_HASH];
  const base = selectorString(deployment.spec?.selector);
  const selector = hash ? [base, `${POD_TEMPLATE_HASH}=${hash}`].filter(Boolean).join(',') : base;
  const pods = (await client.listPods(selector, opts)).filter((p) => (p.metadata?.ownerReferences ?? []).some((o) => o.uid === uid));
  for (const pod of pods) {
    const problem = podProblem(pod);
    if (problem) return problem;
  }
  return null;
}

function labelFor(service: string, deployment: V1Deployment): string {
  const name = deployment.metadata?.name ?? service;
  return name === service ? service : `${service} (Deployment ${name})`;
}

/**
 * Several services' status with one list of the namespace's Convoy-labelled Deployments (findDeployment's
 * rule per service from that list), instead of a list per service; a service without a labelled one
 * falls back to the Deployment named like it.
 */
export async function servicesStatus(client: KubeClient, services: readonly string[], opts?: CallOptions): Promise<ServiceStatus[]> {
  if (services.length === 0) return [];
  const byProject = new Map<string, V1Deployment[]>();
  for (const d of await client.listDeployments(LABEL_PROJECT, opts)) {
    const project = d.metadata?.labels?.[LABEL_PROJECT];
    if (project !== undefined) byProject.set(project, [...(byProject.get(project) ?? []), d]);
  }
  const out: ServiceStatus[] = [];
  for (const service of services) {
    const labelled = byProject.get(service) ?? [];
    const deployment = labelled.length > 0 ? (labelled.find((d) => d.metadata?.name === service) ?? labelled[0]!) : await deploymentNamed(client, service, opts);
    out.push(await statusOf(client, service, deployment, opts));
  }
  return out;
}

async function statusOf(client: KubeClient, service: string, deployment: V1Deployment | null, opts?: CallOptions): Promise<ServiceStatus> {
  if (!deployment) return { service, state: 'missing', revision: null, image: null, message: `${service}: no Deployment in this environment` };
  const judged = await judge(client, service, deployment, opts);
  return {
    service,
    state: judged.failed ? 'failed' : judged.done ? 'ready' : 'progressing',
    revision: revisionOf(deployment)?.toString() ?? null,
    image: templateImage(deployment.spec?.template, service),
    message: judged.failed ?? judged.message,
  };
}

async function judge(client: KubeClient, service: string, deployment: V1Deployment, opts?: CallOptions): Promise<RolloutState> {
  const label = labelFor(service, deployment);
  let state = deploymentRolloutState(deployment, label);
  // A timed-out condition may name a ReplicaSet the Deployment has left (see deploymentRolloutState).
  if (state.failed && timedOutReplicaSet(deployment) !== null) {
    state = deploymentRolloutState(deployment, label, (await currentReplicaSetOf(client, deployment, opts))?.metadata?.name ?? null);
  }
  if (state.done || state.failed) return state;
  const problem = await newReplicaSetProblem(client, deployment, opts);
  return problem ? { done: false, failed: describeProblem(service, problem), message: state.message } : state;
}

export interface WaitTarget {
  service: string;
  deployments: string[];
}

/**
 * Sleeps until `wake()` is called or `ms` pass; a wake that comes while nobody sleeps is kept for the
 * next sleep, so a change seen during a poll is never lost.
 */
export function wakeableSleep(): { sleep(ms: number, signal?: AbortSignal): Promise<void>; wake(): void } {
  let pending = false;
  let wakeNow: (() => void) | null = null;
  return {
    wake() {
      if (wakeNow) wakeNow();
      else pending = true;
    },
    sleep(ms, signal) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      const timeout = new AbortController();
      const both = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
      return new Promise<void>((resolve, reject) => {
        wakeNow = () => timeout.abort();
        sleep(ms, both).then(resolve, (err: unknown) => (signal?.aborted ? reject(err) : resolve()));
      }).finally(() => {
        wakeNow = null;
      });
    },
  };
}

/**
 * Polls every Deployment until all are rolled out; ROLLOUT_FAILED at the first fatal problem,
 * ROLLOUT_TIMEOUT at the deadline. A watch on the Deployments wakes the poll as soon as one changes
 * (as `kubectl rollout status` watches), so a rollout is seen when it finishes, not up to a poll
 * interval later; the interval still bounds how late a pod's fatal problem (no Deployment change) is seen.
 */
export async function waitForRollouts(client: KubeClient, targets: WaitTarget[], options: WaitOptions, pollIntervalMs: number, environment: string): Promise<ServiceStatus[]> {
  const deadline = Date.now() + options.deadlineMs;
  const pending = new Map<string, { service: string; name: string }>();
  for (const t of targets) for (const name of t.deployments) pending.set(`${t.service}/${name}`, { service: t.service, name });
  const last = new Map<string, string>();
  const cancelled = () => new ConvoyError('CANCELLED', `Waiting for the rollout in ${environment} was cancelled`);
  const napper = wakeableSleep();
  const stopWatching = pending.size > 0 ? await client.watchDeployments([...new Set([...pending.values()].map((p) => p.name))], () => napper.wake()) : () => {};
  try {
    for (;;) {
      if (options.signal?.aborted) throw cancelled();
      for (const [key, { service, name }] of pending) {
        const deployment = await client.readDeployment(name, options);
        const state = await judge(client, service, deployment, options);
        if (state.failed) throw new ConvoyError('ROLLOUT_FAILED', `Rollout failed in ${environment}: ${state.failed}`);
        if (last.get(key) !== state.message) {
          options.progress?.(state.message);
          last.set(key, state.message);
        }
        if (state.done) pending.delete(key);
      }
      if (pending.size === 0) break;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const waiting = [...pending.keys()].map((k) => last.get(k) ?? k).join('; ');
        throw new ConvoyError('ROLLOUT_TIMEOUT', `Rollout in ${environment} did not finish within ${options.deadlineMs} ms: ${waiting}`);
      }
      try {
        await napper.sleep(Math.min(pollIntervalMs, remaining), options.signal);
      } catch {
        throw cancelled();
      }
    }
  } finally {
    stopWatching();
  }
  return servicesStatus(client, targets.map((t) => t.service), options);
}

export async function serviceRevisions(client: KubeClient, service: string, opts?: CallOptions): Promise<TargetRevision[]> {
  const deployment = await findDeployment(client, service, opts);
  if (!deployment) throw new ConvoyError('KUBE_NOT_FOUND', `${service}: no Deployment in namespace ${client.ctx('').namespace} (context ${client.ctx('').context})`);
  return listRevisions(service, deployment, await ownedReplicaSetsOf(client, deployment, opts));
}

export async function rollbackService(
  client: KubeClient,
  service: string,
  toRevision: string | undefined,
  fieldManager: string,
  opts?: CallOptions & { progress?: (message: string) => void },
): Promise<RollbackResult> {
  const deployment = await findDeployment(client, service, opts);
  if (!deployment) throw new ConvoyError('ROLLBACK_REFUSED', `${service}: no Deployment in namespace ${client.ctx('').namespace} to roll back`);
  const owned = await ownedReplicaSetsOf(client, deployment, opts);
  const target = selectRollbackTarget(service, deployment, owned, toRevision);
  const from = revisionOf(deployment)?.toString() ?? null;
  if (templatesEqualIgnoringHash(target.replicaSet.spec?.template, deployment.spec?.template)) {
    opts?.progress?.(`${service}: the current template already matches revision ${target.revision}; nothing to do`);
    return { service, from, to: String(target.revision), current: from };
  }
  await client.patchDeployment(deployment.metadata?.name ?? service, rollbackPatch(deployment, target.replicaSet), fieldManager, opts);
  opts?.progress?.(`${service}: rolled back from revision ${from ?? '?'} to revision ${target.revision}`);
  return { service, from, to: String(target.revision), current: null };
}
