// The pod simulator plays the scheduler and the kubelet for one fake Node (no containers run): it binds
// every unscheduled pod to the node, reports it Running and Ready, finishes the deletion of pods the
// controllers delete (a kubelet does that), and fails pods on request:
// - rules added with failImages(regex, mode), or through the control endpoint
//   (POST /fail {"image": "<regex>", "mode": "CrashLoopBackOff"}, DELETE /fail),
// - the pod annotation convoy.dev/simulate: CrashLoopBackOff | ImagePullBackOff | NeverReady,
// - with registryCheck on, an image on a registry at 127.0.0.1/localhost:PORT whose manifest is
//   missing (HEAD /v2/<repo>/manifests/<tag or digest>) gets ImagePullBackOff.
import { createServer, type Server } from 'node:http';
import type { KubeHttp } from './http.js';
import { expectStatus } from './http.js';

export type FailureMode = 'CrashLoopBackOff' | 'ImagePullBackOff' | 'NeverReady';
const MODES: FailureMode[] = ['CrashLoopBackOff', 'ImagePullBackOff', 'NeverReady'];
export const SIMULATE_ANNOTATION = 'convoy.dev/simulate';
export const NODE_NAME = 'convoy-sim-node';

interface Pod {
  metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string>; deletionTimestamp?: string; creationTimestamp?: string };
  spec: { nodeName?: string; containers: Array<{ name: string; image: string }> };
  status?: { phase?: string; containerStatuses?: Array<{ state?: Record<string, { reason?: string }> }>; conditions?: Array<{ type: string; status: string }> };
}

export interface PodSimulator {
  failImages(image: RegExp, mode: FailureMode): void;
  clearFailures(): void;
  /** The control endpoint (http://127.0.0.1:PORT). */
  controlUrl: string;
  stop(): Promise<void>;
}

export interface SimulatorOptions {
  api: KubeHttp;
  registryCheck?: boolean;
  intervalMs?: number;
  log?: (line: string) => void;
}

/** An image reference on a registry on this machine: 127.0.0.1:PORT/repo[:tag|@digest]. */
export function localRegistryRef(image: string): { base: string; repo: string; ref: string } | null {
  const m = /^(127\.0\.0\.1|localhost):(\d+)\/([^@:]+(?:\/[^@:]+)*)(?::([\w][\w.-]*))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(image);
  if (!m) return null;
  return { base: `http://${m[1]}:${m[2]}`, repo: m[3] as string, ref: m[5] ?? m[4] ?? 'latest' };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export async function startPodSimulator(options: SimulatorOptions): Promise<PodSimulator> {
  const { api } = options;
  const log = options.log ?? (() => {});
  const rules: Array<{ image: RegExp; mode: FailureMode }> = [];
  const manifestSeen = new Map<string, { ok: boolean; at: number }>();
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

  await ensureNode(api);

  async function manifestExists(image: string): Promise<boolean> {
    const ref = localRegistryRef(image);
    if (!ref) return true;
    const known = manifestSeen.get(image);
    if (known && (known.ok || Date.now() - known.at < 1_000)) return known.ok;
    const res = await fetch(`${ref.base}/v2/${ref.repo}/manifests/${ref.ref}`, { method: 'HEAD', headers: { accept: MANIFEST_TYPES }, signal: AbortSignal.timeout(5_000) }).catch(() => null);
    const ok = res?.status === 200;
    manifestSeen.set(image, { ok, at: Date.now() });
    return ok;
  }

  async function modeOf(pod: Pod): Promise<{ mode: FailureMode | null; container?: string; message?: string }> {
    const asked = pod.metadata.annotations?.[SIMULATE_ANNOTATION];
    if (asked && MODES.includes(asked as FailureMode)) return { mode: asked as FailureMode };
    for (const c of pod.spec.containers) {
      const rule = rules.find((r) => r.image.test(c.image));
      if (rule) return { mode: rule.mode, container: c.name };
      if (options.registryCheck && !(await manifestExists(c.image))) {
        return { mode: 'ImagePullBackOff', container: c.name, message: `Back-off pulling image "${c.image}": manifest unknown` };
      }
    }
    return { mode: null };
  }

  function statusFor(pod: Pod, failing: { mode: FailureMode | null; container?: string; message?: string }) {
    const started = pod.metadata.creationTimestamp ?? now();
    const ready = failing.mode === null;
    const cond = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: started });
    const containerStatuses = pod.spec.containers.map((c, i) => {
      const fails = failing.mode !== null && (failing.container === undefined || failing.container === c.name);
      const base = { name: c.name, image: c.image, imageID: '', containerID: `containerd://sim-${pod.metadata.uid}-${i}`, restartCount: 0, ready: !fails, started: !fails };
      if (!fails) return { ...base, state: { running: { startedAt: started } } };
      switch (failing.mode) {
        case 'ImagePullBackOff':
          return { ...base, containerID: undefined, started: false, state: { waiting: { reason: 'ImagePullBackOff', message: failing.message ?? `Back-off pulling image "${c.image}"` } } };
        case 'CrashLoopBackOff':
          return {
            ...base,
            restartCount: 3,
            started: false,
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=${c.name} pod=${pod.metadata.name}` } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: started, finishedAt: started } },
          };
        default:
          return { ...base, started: true, state: { running: { startedAt: started } } };
      }
    });
    const pending = failing.mode === 'ImagePullBackOff';
    return {
      phase: pending ? 'Pending' : 'Running',
      hostIP: '127.0.0.1',
      podIP: '127.0.0.1',
      startTime: started,
      conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
      containerStatuses,
    };
  }

  const settled = new Map<string, string>(); // uid → the mode last reported
  async function reconcile(pod: Pod): Promise<void> {
    const { name, namespace, uid } = pod.metadata;
    const at = `/api/v1/namespaces/${namespace}/pods/${name}`;
    if (!pod.spec.nodeName) {
      if (pod.metadata.deletionTimestamp) return;
      const res = await api.request('POST', `${at}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: NODE_NAME } });
      if (res.status !== 201 && res.status !== 409 && res.status !== 404) log(`bind ${namespace}/${name}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
      return;
    }
    if (pod.spec.nodeName !== NODE_NAME) return;
    if (pod.metadata.deletionTimestamp) {
      // The kubelet's part of a graceful delete: the containers are gone, so the pod may go now.
      await api.request('DELETE', `${at}?gracePeriodSeconds=0`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } });
      settled.delete(uid);
      return;
    }
    const failing = await modeOf(pod);
    const key = failing.mode ?? 'Ready';
    if (settled.get(uid) === key) return;
    const res = await api.request('PATCH', `${at}/status`, { status: statusFor(pod, failing) }, 'application/merge-patch+json');
    if (res.status === 200) settled.set(uid, key);
    else if (res.status !== 404) log(`status ${namespace}/${name}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  }

  let stopped = false;
  let lastError = '';
  const loop = (async () => {
    while (!stopped) {
      try {
        const res = expectStatus(await api.request('GET', '/api/v1/pods'), 'list pods', 200);
        const pods = (res.body as { items: Pod[] }).items;
        const live = new Set(pods.map((p) => p.metadata.uid));
        for (const uid of settled.keys()) if (!live.has(uid)) settled.delete(uid);
        await Promise.all(pods.map((p) => reconcile(p)));
        lastError = '';
      } catch (error) {
        const message = (error as Error).message;
        if (message !== lastError && !stopped) log(`pod simulator: ${message}`);
        lastError = message;
      }
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
    }
  })();

  const control: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        if (req.url === '/fail' && req.method === 'DELETE') {
          rules.length = 0;
          settled.clear();
        } else if (req.url === '/fail' && req.method === 'POST') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { image?: string; mode?: string };
          if (typeof body.image !== 'string' || !MODES.includes(body.mode as FailureMode)) throw new Error(`want {"image": "<regex>", "mode": one of ${MODES.join(', ')}}`);
          simulator.failImages(new RegExp(body.image), body.mode as FailureMode);
        } else {
          res.writeHead(404).end('POST or DELETE /fail\n');
          return;
        }
        res.writeHead(204).end();
      } catch (error) {
        res.writeHead(400).end(`${(error as Error).message}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

  const simulator: PodSimulator = {
    controlUrl: `http://127.0.0.1:${(control.address() as { port: number }).port}`,
    failImages(image, mode) {
      rules.push({ image, mode });
      settled.clear(); // re-evaluate every pod under the new rule
    },
    clearFailures() {
      rules.length = 0;
      settled.clear();
    },
    async stop() {
      stopped = true;
      await loop;
      await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };
  return simulator;
}

async function ensureNode(api: KubeHttp): Promise<void> {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'convoy.dev/simulated': 'true' } },
  };
  const created = await api.request('POST', '/api/v1/nodes', node);
  if (created.status !== 201 && created.status !== 409) expectStatus(created, 'create the simulated node', 201);
  const capacity = { cpu: '64', memory: '256Gi', pods: '500' };
  const status = {
    capacity,
    allocatable: capacity,
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated by the Convoy test pod simulator', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
  };
  expectStatus(await api.request('PATCH', `/api/v1/nodes/${NODE_NAME}/status`, { status }, 'application/merge-patch+json'), 'mark the simulated node Ready', 200);
}
