// The pretend kubelet: moves pods from Pending to Running/Ready after `podReadyAfterMs`, or leaves
// them waiting with ImagePullBackOff / CrashLoopBackOff, or running and never ready (NeverReady,
// ProgressDeadlineExceeded), when their image matches a fault rule.
import type { ImageFailure } from './faults.js';
import { dig, isPlainObject, meta, timestamp, type KubeObject } from './util.js';

export interface PodTiming {
  readyAfterMs: number;
  /** When this server first saw the pod (ms), keyed by uid. */
  bornAt(uid: string): number;
  failureFor(image: string): ImageFailure | undefined;
  podIp(uid: string): string;
}

function condition(type: string, status: boolean, time: string): Record<string, unknown> {
  return { type, status: status ? 'True' : 'False', lastTransitionTime: time };
}

/** The status the pod should have now; the caller writes it when it differs. */
export function desiredPodStatus(pod: KubeObject, timing: PodTiming, now: number): Record<string, unknown> {
  const m = meta(pod);
  const uid = String(m.uid);
  const born = timing.bornAt(uid);
  const age = now - born;
  const created = String(m.creationTimestamp ?? timestamp(born));
  const containers = (dig(pod, 'spec', 'containers') as unknown[] | undefined) ?? [];
  const images = containers.map((c) => (isPlainObject(c) ? String(c.image ?? '') : ''));
  const failures = images.map((image) => timing.failureFor(image));
  const started = age >= timing.readyAfterMs;
  const anyFailure = failures.some((f) => f !== undefined);
  const ready = started && !anyFailure;
  const readyTime = ready ? timestamp(born + timing.readyAfterMs) : created;
  const crashing = failures.includes('CrashLoopBackOff');
  const unready = failures.some((f) => f === 'NeverReady' || f === 'ProgressDeadlineExceeded');
  const running = ready || (started && (crashing || unready) && !failures.includes('ImagePullBackOff'));

  const containerStatuses = containers.map((c, i) => {
    const name = isPlainObject(c) ? String(c.name) : `c${i}`;
    const image = images[i]!;
    const failure = failures[i];
    const base: Record<string, unknown> = { name, image, imageID: '', ready: false, restartCount: 0, started: false };
    const neverReady = failure === 'NeverReady' || failure === 'ProgressDeadlineExceeded';
    if (!started && (failure === undefined || neverReady)) {
      base.state = { waiting: { reason: 'ContainerCreating' } };
    } else if (failure === 'ImagePullBackOff') {
      base.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
    } else if (failure === 'CrashLoopBackOff') {
      const restarts = Math.max(1, Math.floor(age / Math.max(timing.readyAfterMs, 100)));
      base.restartCount = restarts;
      base.containerID = `containerd://${uid.replace(/-/g, '')}${i}`;
      base.imageID = `docker.io/${image}@sha256:${'0'.repeat(64)}`;
      base.lastState = { terminated: { exitCode: 1, reason: 'Error', startedAt: created, finishedAt: created, containerID: base.containerID } };
      base.state = {
        waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${name} pod=${String(m.name)}_${String(m.namespace)}(${uid})` },
      };
    } else {
      base.ready = !anyFailure;
      base.started = true;
      base.containerID = `containerd://${uid.replace(/-/g, '')}${i}`;
      base.imageID = `docker.io/${image}@sha256:${'0'.repeat(64)}`;
      base.state = { running: { startedAt: readyTime } };
    }
    return base;
  });

  const status: Record<string, unknown> = {
    phase: running ? 'Running' : 'Pending',
    conditions: [
      condition('PodReadyToStartContainers', started || anyFailure, created),
      condition('Initialized', true, created),
      condition('Ready', ready, readyTime),
      condition('ContainersReady', ready, readyTime),
      condition('PodScheduled', true, created),
    ],
    hostIP: '192.168.49.2',
    hostIPs: [{ ip: '192.168.49.2' }],
    podIP: timing.podIp(uid),
    podIPs: [{ ip: timing.podIp(uid) }],
    startTime: created,
    containerStatuses,
    qosClass: 'BestEffort',
  };
  if (!ready && running) (status.conditions as Array<Record<string, unknown>>)[2]!.reason = 'ContainersNotReady';
  return status;
}

export function podIsReady(pod: KubeObject): boolean {
  const conditions = dig(pod, 'status', 'conditions');
  return Array.isArray(conditions) && conditions.some((c) => isPlainObject(c) && c.type === 'Ready' && c.status === 'True');
}
