// The local Docker Engine as an offline staging deploy target (DeployTargetPort, kind 'docker').
//
// One container per environment and service, `convoy-<env>-<service>`, its port published on
// 127.0.0.1 only. Every container carries labels that make it self-describing: managed-by, environment,
// service, release id, commit, revision number, image reference, creation time and a JSON spec
// (port, health path, host port, the names of the unit's env vars; the values stay in the container's
// own Config.Env so secrets are not copied into labels). Nothing else is stored: Docker is the state.
//
// Replacing a revision (apply, rollback):
//  * Docker-chosen host port (no fixed `hostPort`): blue/green. The new revision starts as
//    `convoy-<env>-<service>-next-<rev>` on a new free 127.0.0.1 port next to the old one; only when it
//    is healthy is the old one stopped and renamed `-r<old>` and the new one renamed to the canonical
//    name. If the new one fails, it is removed and the old one never stopped serving. The published
//    port changes with each revision (status() reports the URL).
//  * Fixed host port: two containers cannot publish the same port, so it is stop-then-start: stop the
//    old one, start the new one on the fixed port, check health; on failure (or cancellation) remove
//    the new one and start the old one again (restore), re-checking its health. Users keep one stable
//    URL at the price of a short gap while the new revision starts.
//  Either way a failure throws HEALTH_FAILED with the health output and the new container's last log
//  lines, and the previous revision is the one serving. A cancelled call (AbortSignal) cleans up the
//  same way and throws CANCELLED.
//
// Health: HTTP GET `unit.health` on the published 127.0.0.1 port (2xx/3xx healthy; redirects are not
// followed); with no health path, the image's HEALTHCHECK (State.Health.Status); with neither, "running
// for `settleMs` without exiting". A container that exits fails at once; otherwise the deadline
// (healthDeadlineMs, or WaitOptions.deadlineMs in waitReady) decides.
//
// History: retired revisions stay as stopped containers `convoy-<env>-<service>-r<N>` (the newest
// `keepRetired`, default 5; older ones are removed). They keep their image alive (Docker refuses to
// remove an image a container uses), their labels and env, so rollback recreates a revision exactly —
// from the image id, not a tag that may have moved — as a new revision number, like `kubectl rollout
// undo`. Revision numbers are the highest number seen for the service plus one.
//
// Checked before anything changes: names, ports/health paths, that Docker answers (DOCKER_UNAVAILABLE
// says how to start it or set DOCKER_HOST), that every image is in the local engine (the target never
// pulls: NOT_FOUND), and that every fixed host port is free on 127.0.0.1 — held by nothing, or by this
// service's own current container (PORT_IN_USE names port, service and holder). The probe listens on
// 127.0.0.1 of this machine, so it assumes a local engine (unix socket or tcp://127.0.0.1).
import { createServer } from 'node:net';
import Docker from 'dockerode';
import { ConvoyError } from '../../../shared/errors.js';
import type {
  ApplyOptions,
  ApplyResult,
  AppliedObject,
  DeployTargetPort,
  DeployUnit,
  ObjectDiff,
  RollbackResult,
  ServiceStatus,
  TargetCallOptions,
  TargetDiff,
  TargetRevision,
  WaitOptions,
} from '../../core/ports/deploy-target.js';
import type { Progress } from '../../core/ports/workspace.js';
import { dockerEndpoint, dockerOptions } from '../docker/docker-engine.js';
import {
  LABELS,
  MANAGED_BY,
  candidateName,
  checkNamePart,
  checkSpec,
  containerName,
  decodeSpecLabel,
  demuxDockerLog,
  encodeSpecLabel,
  envFromList,
  envToList,
  lastLines,
  renderSpec,
  retiredName,
  roleOf,
  sameSpec,
  unifiedDiff,
  type ServiceSpec,
} from './spec.js';

export interface DockerTargetConfig {
  environment: string;
  /** Default dockerEndpoint() (DOCKER_HOST or the local socket). */
  endpoint?: string;
  /** Fixed host port per service; undefined lets Docker pick a free one on 127.0.0.1. */
  hostPort?: (service: string) => number | undefined;
  /** How long a new revision has to become healthy (apply, rollback). Default 30 s. */
  healthDeadlineMs?: number;
  /** Between health probes. Default 250 ms. */
  pollIntervalMs?: number;
  /** Not used: revisions live in Docker (labels and retired containers). */
  stateDir?: string;
  /** With neither a health path nor a HEALTHCHECK: healthy after running this long. Default 2 s. */
  settleMs?: number;
  /** Grace period of `docker stop` before SIGKILL. Default 10 s. */
  stopTimeoutSeconds?: number;
  /** Retired revisions kept per service (stopped containers). Default 5. */
  keepRetired?: number;
  /** Extra labels on every container created (e.g. a test run id). */
  labels?: Record<string, string>;
}

const DEFAULT_HEALTH_DEADLINE_MS = 30_000;
const DEFAULT_POLL_MS = 250;
const DEFAULT_SETTLE_MS = 2_000;
const DEFAULT_STOP_SECONDS = 10;
const DEFAULT_KEEP_RETIRED = 5;
const HTTP_PROBE_TIMEOUT_MS = 2_000;
const LOG_TAIL_LINES = 20;
const DOCKER_CALL_TIMEOUT_MS = 120_000;

/** One container of this environment/service, read from Docker. */
interface Revision {
  id: string;
  name: string;
  role: 'current' | 'candidate' | 'retired';
  revision: number;
  spec: ServiceSpec;
  imageId: string;
  releaseId: string | null;
  commit: string | null;
  createdAt: string | null;
  running: boolean;
  /** e.g. `running`, `exited (code 1)`. */
  stateText: string;
  /** The published host port on 127.0.0.1, when running. */
  publishedPort: number | null;
  inspect: Docker.ContainerInspectInfo;
}

interface HealthOutcome {
  ok: boolean;
  /** What the last probe saw. */
  detail: string;
}

function statusCodeOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function cancelled(what: string): ConvoyError {
  return new ConvoyError('CANCELLED', `${what}: cancelled`);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves true when 127.0.0.1:port can be bound right now. */
function portIsFree(port: number): Promise<{ free: boolean; reason: string }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve({ free: false, reason: err.code ?? err.message }));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => resolve({ free: true, reason: '' }));
    });
  });
}

function stateText(state: Docker.ContainerInspectInfo['State']): string {
  if (state.Running) return state.Restarting ? 'restarting' : 'running';
  if (state.Status === 'exited' || state.Status === 'dead') return `${state.Status} (code ${state.ExitCode})`;
  return state.Status;
}

export function createDockerTarget(config: DockerTargetConfig): DeployTargetPort {
  const environment = config.environment;
  checkNamePart('environment', environment);
  const endpoint = config.endpoint ?? dockerEndpoint();
  const healthDeadlineMs = config.healthDeadlineMs ?? DEFAULT_HEALTH_DEADLINE_MS;
  const pollMs = config.pollIntervalMs ?? DEFAULT_POLL_MS;
  const settleMs = config.settleMs ?? DEFAULT_SETTLE_MS;
  const stopSeconds = config.stopTimeoutSeconds ?? DEFAULT_STOP_SECONDS;
  const keepRetired = config.keepRetired ?? DEFAULT_KEEP_RETIRED;
  const extraLabels = config.labels ?? {};

  let docker: Docker;
  try {
    docker = new Docker({ ...dockerOptions(endpoint), timeout: DOCKER_CALL_TIMEOUT_MS });
  } catch (err) {
    throw new ConvoyError('DOCKER_UNAVAILABLE', `${messageOf(err)} (environment ${environment})`);
  }

  function unavailable(err: unknown): ConvoyError {
    return new ConvoyError(
      'DOCKER_UNAVAILABLE',
      `Docker Engine not reachable at ${endpoint} for environment ${environment} (${messageOf(err)}) — ` +
        'start Docker (e.g. `sudo systemctl start docker`, Docker Desktop or `podman machine start`) or set DOCKER_HOST to a running engine',
    );
  }

  /** Transport failures (no statusCode) become DOCKER_UNAVAILABLE; API errors keep their context. */
  async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ConvoyError) throw err;
      if (statusCodeOf(err) === undefined) throw unavailable(err);
      const error = new Error(`${environment}: ${what}: ${messageOf(err)}`, { cause: err });
      (error as Error & { statusCode?: number }).statusCode = statusCodeOf(err);
      throw error;
    }
  }

  async function ping(): Promise<void> {
    try {
      await docker.ping();
    } catch (err) {
      throw unavailable(err);
    }
  }

  function hostPortFor(service: string): number | null {
    return config.hostPort?.(service) ?? null;
  }

  function specOf(unit: DeployUnit): ServiceSpec {
    return { image: unit.image, port: unit.port, health: unit.health, hostPort: hostPortFor(unit.service), env: { ...unit.env } };
  }

  function checkUnits(units: DeployUnit[]): void {
    const seen = new Set<string>();
    for (const unit of units) {
      checkNamePart('service', unit.service);
      if (seen.has(unit.service)) {
        throw new ConvoyError('CONFIG_INVALID', `${environment}: service ${unit.service} appears twice in one release`);
      }
      seen.add(unit.service);
      checkSpec(environment, unit.service, specOf(unit));
    }
  }

  function progressOf(options?: TargetCallOptions): Progress {
    return options?.progress ?? (() => undefined);
  }

  function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
    if (signal?.aborted) throw cancelled(what);
  }

  // ---- reading state from Docker -------------------------------------------------------------

  function toRevision(service: string, info: Docker.ContainerInspectInfo): Revision | null {
    const role = roleOf(info.Name, environment, service);
    if (role === 'other') return null;
    const labels = info.Config.Labels ?? {};
    const specLabel = decodeSpecLabel(labels[LABELS.spec]);
    const revision = Number(labels[LABELS.revision]);
    if (!specLabel || !Number.isInteger(revision)) return null;
    const port = specLabel.port;
    const binding = port === null ? undefined : info.NetworkSettings?.Ports?.[`${port}/tcp`]?.[0];
    const published = binding ? Number(binding.HostPort) : NaN;
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      role,
      revision,
      spec: {
        image: labels[LABELS.image] ?? info.Config.Image,
        port,
        health: specLabel.health,
        hostPort: specLabel.hostPort,
        env: envFromList(info.Config.Env, specLabel.envKeys),
      },
      imageId: info.Image,
      releaseId: labels[LABELS.releaseId] || null,
      commit: labels[LABELS.commit] || null,
      createdAt: labels[LABELS.createdAt] || info.Created || null,
      running: info.State.Running,
      stateText: stateText(info.State),
      publishedPort: Number.isInteger(published) && published > 0 ? published : null,
      inspect: info,
    };
  }

  /** All containers Convoy made for this environment/service, newest revision first. */
  async function listRevisions(service: string): Promise<Revision[]> {
    const summaries = await call(`list containers of ${service}`, () =>
      docker.listContainers({
        all: true,
        filters: {
          label: [`${LABELS.managedBy}=${MANAGED_BY}`, `${LABELS.environment}=${environment}`, `${LABELS.service}=${service}`],
        },
      }),
    );
    const out: Revision[] = [];
    for (const summary of summaries) {
      try {
        const info = await call(`inspect ${summary.Id}`, () => docker.getContainer(summary.Id).inspect());
        const rev = toRevision(service, info);
        if (rev) out.push(rev);
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw err; // removed meanwhile
      }
    }
    return out.sort((a, b) => b.revision - a.revision);
  }

  /** The canonical container, or null; refuses a foreign container squatting on the name. */
  async function currentOf(service: string): Promise<Revision | null> {
    const name = containerName(environment, service);
    let info: Docker.ContainerInspectInfo;
    try {
      info = await call(`inspect ${name}`, () => docker.getContainer(name).inspect());
    } catch (err) {
      if (statusCodeOf(err) === 404) return null;
      throw err;
    }
    const labels = info.Config.Labels ?? {};
    const ours =
      labels[LABELS.managedBy] === MANAGED_BY && labels[LABELS.environment] === environment && labels[LABELS.service] === service;
    const rev = ours ? toRevision(service, info) : null;
    if (!rev) {
      throw new ConvoyError(
        'CONFIG_INVALID',
        `${environment}/${service}: container ${name} exists but was not created by Convoy for this environment and service; remove or rename it`,
      );
    }
    return rev;
  }

  async function imageExists(ref: string): Promise<string | null> {
    try {
      const info = await call(`inspect image ${ref}`, () => docker.getImage(ref).inspect());
      return info.Id;
    } catch (err) {
      if (statusCodeOf(err) === 404) return null;
      throw err;
    }
  }

  async function requireImage(service: string, ref: string): Promise<string> {
    const id = await imageExists(ref);
    if (id === null) {
      throw new ConvoyError(
        'NOT_FOUND',
        `${environment}/${service}: image ${ref} is not in the local Docker Engine at ${endpoint}; build it first (the Docker target never pulls)`,
      );
    }
    return id;
  }

  async function containerLogs(id: string): Promise<string> {
    try {
      const raw = await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL_LINES });
      const text = lastLines(demuxDockerLog(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))), LOG_TAIL_LINES);
      return text === '' ? '(no output)' : text;
    } catch (err) {
      return `(logs unavailable: ${messageOf(err)})`;
    }
  }

  // ---- ports ---------------------------------------------------------------------------------

  /** PORT_IN_USE before anything changes, for every fixed host port of these services. */
  async function checkPorts(specs: Array<{ service: string; spec: ServiceSpec }>): Promise<void> {
    const claimed = new Map<number, string>();
    for (const { service, spec } of specs) {
      const port = spec.hostPort;
      if (port === null) continue;
      const other = claimed.get(port);
      if (other !== undefined) {
        throw new ConvoyError('PORT_IN_USE', `${environment}: host port ${port} is configured for both ${other} and ${service}`);
      }
      claimed.set(port, service);
      const current = await currentOf(service);
      if (current?.running && current.publishedPort === port) continue; // our own, replaced in turn
      const running = await call('list running containers', () => docker.listContainers({ all: false }));
      const holder = running.find((c) => (c.Ports ?? []).some((p) => p.PublicPort === port));
      if (holder) {
        const name = (holder.Names?.[0] ?? holder.Id).replace(/^\//, '');
        throw new ConvoyError(
          'PORT_IN_USE',
          `${environment}/${service}: host port ${port} is already published by container ${name}; nothing was changed`,
        );
      }
      const probe = await portIsFree(port);
      if (!probe.free) {
        throw new ConvoyError(
          'PORT_IN_USE',
          `${environment}/${service}: 127.0.0.1:${port} is already in use by another process (${probe.reason}); nothing was changed`,
        );
      }
    }
  }

  // ---- health --------------------------------------------------------------------------------

  async function httpProbe(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HealthOutcome> {
    const signals = [AbortSignal.timeout(Math.max(1, timeoutMs))];
    if (signal) signals.push(signal);
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.any(signals) });
      const body = (await res.text()).slice(0, 200).trim();
      const ok = res.status >= 200 && res.status < 400;
      return { ok, detail: `GET ${url} → HTTP ${res.status}${body ? `: ${body}` : ''}` };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      return { ok: false, detail: `GET ${url} → ${messageOf(err)}${cause}` };
    }
  }

  /**
   * Polls one container until healthy, exited or the deadline. Abort stops polling and reports the
   * last observation with ok false; the caller decides (CANCELLED).
   */
  async function waitHealthy(id: string, spec: ServiceSpec, deadlineMs: number, signal?: AbortSignal): Promise<HealthOutcome> {
    const deadline = Date.now() + deadlineMs;
    const settle = Math.min(settleMs, Math.max(0, deadlineMs - pollMs));
    let detail = 'not checked yet';
    for (;;) {
      if (signal?.aborted) return { ok: false, detail: `${detail} (cancelled)` };
      const info = await call(`inspect ${id}`, () => docker.getContainer(id).inspect());
      if (!info.State.Running || info.State.Restarting) {
        if (info.State.Status !== 'created') {
          return { ok: false, detail: `container ${stateText(info.State)}${info.State.Error ? `: ${info.State.Error}` : ''}` };
        }
        detail = 'container not started yet';
      } else if (spec.health !== null && spec.port !== null) {
        const binding = info.NetworkSettings?.Ports?.[`${spec.port}/tcp`]?.[0];
        if (!binding?.HostPort) {
          detail = `port ${spec.port}/tcp is not published yet`;
        } else {
          // A probe may overrun the deadline by up to 500 ms, so a zero deadline still gets one real probe.
          const remaining = Math.max(500, deadline - Date.now());
          const probe = await httpProbe(
            `http://127.0.0.1:${binding.HostPort}${spec.health}`,
            Math.min(HTTP_PROBE_TIMEOUT_MS, remaining),
            signal,
          );
          if (probe.ok) return probe;
          detail = probe.detail;
        }
      } else if (info.State.Health) {
        const health = info.State.Health;
        const last = health.Log?.[health.Log.length - 1];
        const output = last ? `; last check exit ${last.ExitCode}: ${last.Output.trim().slice(0, 300)}` : '';
        detail = `HEALTHCHECK ${health.Status}${output}`;
        if (health.Status === 'healthy') return { ok: true, detail };
        if (health.Status === 'unhealthy') return { ok: false, detail };
      } else {
        const started = Date.parse(info.State.StartedAt);
        const ran = Number.isFinite(started) ? Date.now() - started : 0;
        detail = `running for ${Math.max(0, ran)} ms without exiting (no health path, no HEALTHCHECK)`;
        if (ran >= settle) return { ok: true, detail };
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { ok: false, detail: deadlineMs === 0 ? detail : `${detail} — not healthy within ${deadlineMs} ms` };
      await sleep(Math.min(pollMs, remaining), signal);
    }
  }

  // ---- replacement ---------------------------------------------------------------------------

  interface ReplaceMeta {
    service: string;
    releaseId: string | null;
    commit: string | null;
    /** What Docker creates from: the image ref, or an image id for rollbacks. */
    createFrom: string;
    rollbackOf: number | null;
  }

  async function removeQuietly(id: string): Promise<void> {
    try {
      await docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (statusCodeOf(err) !== 404 && statusCodeOf(err) !== 409) throw err;
    }
  }

  async function stopQuietly(id: string): Promise<void> {
    try {
      await docker.getContainer(id).stop({ t: stopSeconds });
    } catch (err) {
      if (statusCodeOf(err) !== 304 && statusCodeOf(err) !== 404) throw err; // 304: already stopped
    }
  }

  /** Starts the old revision again after a failed fixed-port replacement; says how that went. */
  async function restore(old: Revision): Promise<string> {
    try {
      await call(`restart ${old.name}`, () => docker.getContainer(old.id).start());
    } catch (err) {
      if (statusCodeOf(err) !== 304) return `restoring revision ${old.revision} (${old.name}) FAILED: ${messageOf(err)}`;
    }
    const health = await waitHealthy(old.id, old.spec, healthDeadlineMs);
    return health.ok
      ? `revision ${old.revision} (${old.name}) was restored and is serving`
      : `revision ${old.revision} (${old.name}) was restarted but is not healthy: ${health.detail}`;
  }

  async function prune(service: string): Promise<void> {
    const retired = (await listRevisions(service)).filter((r) => r.role === 'retired');
    for (const old of retired.slice(keepRetired)) await removeQuietly(old.id);
  }

  async function nextRevision(service: string): Promise<number> {
    const all = await listRevisions(service);
    return (all[0]?.revision ?? 0) + 1;
  }

  /** The health-checked replacement described at the top. Resolves with the new revision number. */
  async function replace(spec: ServiceSpec, meta: ReplaceMeta, options: TargetCallOptions, fraction: (f: number) => number): Promise<number> {
    const { service } = meta;
    const signal = options.signal;
    const progress = progressOf(options);
    const where = `${environment}/${service}`;
    throwIfAborted(signal, `deploy ${where}`);

    // Left behind by an interrupted earlier run.
    for (const stale of (await listRevisions(service)).filter((r) => r.role === 'candidate')) {
      progress(`${where}: removing ${stale.name} left by an interrupted deploy`);
      await call(`remove ${stale.name}`, () => removeQuietly(stale.id));
    }
    const old = await currentOf(service);
    const revision = await nextRevision(service);
    const fixed = spec.hostPort !== null;
    const name = candidateName(environment, service, revision);
    const exposed = spec.port === null ? undefined : `${spec.port}/tcp`;

    progress(`${where}: creating ${name} (revision ${revision}, ${spec.image})`, fraction(0.1));
    const created = await call(`create ${name}`, () =>
      docker.createContainer({
        name,
        Image: meta.createFrom,
        Env: envToList(spec.env),
        Labels: {
          ...extraLabels,
          [LABELS.managedBy]: MANAGED_BY,
          [LABELS.environment]: environment,
          [LABELS.service]: service,
          [LABELS.releaseId]: meta.releaseId ?? '',
          [LABELS.commit]: meta.commit ?? '',
          [LABELS.revision]: String(revision),
          [LABELS.image]: spec.image,
          [LABELS.createdAt]: new Date().toISOString(),
          [LABELS.spec]: encodeSpecLabel(spec),
          ...(meta.rollbackOf === null ? {} : { [LABELS.rollbackOf]: String(meta.rollbackOf) }),
        },
        ...(exposed ? { ExposedPorts: { [exposed]: {} } } : {}),
        HostConfig: {
          ...(exposed
            ? { PortBindings: { [exposed]: [{ HostIp: '127.0.0.1', HostPort: spec.hostPort === null ? '0' : String(spec.hostPort) }] } }
            : {}),
          RestartPolicy: { Name: 'no' },
        },
      }),
    );
    const stoppedOld = fixed && old !== null && old.running;

    /** Removes the new container, restores the old one when it was stopped; returns what happened to it. */
    async function undo(): Promise<string> {
      await removeQuietly(created.id);
      if (stoppedOld && old) return restore(old);
      if (!old) return 'there was no previous revision';
      if (!old.running) return `revision ${old.revision} (${old.name}) was not running (${old.stateText}) and is left as it was`;
      return `revision ${old.revision} (${old.name}) kept serving`;
    }

    try {
      if (stoppedOld && old) {
        progress(`${where}: stopping revision ${old.revision} to free host port ${spec.hostPort}`, fraction(0.2));
        await call(`stop ${old.name}`, () => stopQuietly(old.id));
      }
      throwIfAborted(signal, `deploy ${where}`);
      progress(`${where}: starting ${name}`, fraction(0.3));
      await call(`start ${name}`, () => created.start());
    } catch (err) {
      const outcome = await undo();
      if (err instanceof ConvoyError) throw new ConvoyError(err.code, `${err.message}; ${outcome}`);
      const text = messageOf(err);
      if (/port is already allocated|address already in use/i.test(text)) {
        throw new ConvoyError('PORT_IN_USE', `${where}: host port ${spec.hostPort ?? ''} was taken while starting ${name}: ${text}; ${outcome}`);
      }
      throw new Error(`${text}; ${outcome}`, { cause: err });
    }

    progress(`${where}: waiting for ${name} to be healthy (up to ${healthDeadlineMs} ms)`, fraction(0.4));
    const health = await waitHealthy(created.id, spec, healthDeadlineMs, signal);
    if (!health.ok || signal?.aborted) {
      const logs = await containerLogs(created.id);
      const outcome = await undo();
      if (signal?.aborted) throw cancelled(`deploy ${where} (revision ${revision} removed; ${outcome})`);
      throw new ConvoyError(
        'HEALTH_FAILED',
        `${where}: revision ${revision} (${spec.image}, container ${name}) failed its health check: ${health.detail}. ` +
          `It was removed; ${outcome}.\nLast log lines of ${name}:\n${logs}`,
      );
    }

    // Promote: retire the old revision, give the new one the canonical name.
    progress(`${where}: revision ${revision} healthy (${health.detail}); promoting`, fraction(0.8));
    if (old) {
      if (old.running) await call(`stop ${old.name}`, () => stopQuietly(old.id));
      await call(`rename ${old.name}`, () =>
        docker.getContainer(old.id).rename({ name: retiredName(environment, service, old.revision) }),
      );
    }
    await call(`rename ${name}`, () => docker.getContainer(created.id).rename({ name: containerName(environment, service) }));
    await call(`set restart policy of ${name}`, () =>
      docker.getContainer(created.id).update({ RestartPolicy: { Name: 'unless-stopped' } }),
    );
    await prune(service);
    progress(`${where}: revision ${revision} is current${old ? `; revision ${old.revision} retired` : ''}`, fraction(1));
    return revision;
  }

  // ---- diff ----------------------------------------------------------------------------------

  async function diffOne(unit: DeployUnit): Promise<{ diff: ObjectDiff; current: Revision | null; desired: ServiceSpec }> {
    const desired = specOf(unit);
    const current = await currentOf(unit.service);
    const object = `container ${containerName(environment, unit.service)}`;
    const desiredId = await imageExists(unit.image);
    const newNote = desiredId === null ? '(not in the local engine)' : undefined;
    if (!current) {
      const lines = renderSpec(desired, { state: 'running', imageNote: newNote });
      return {
        diff: { service: unit.service, object, change: 'add', diff: unifiedDiff([], lines, '/dev/null', `${object} (new)`) },
        current,
        desired,
      };
    }
    const tagMoved = desiredId !== null && current.spec.image === desired.image && current.imageId !== desiredId;
    const unchanged = sameSpec(current.spec, desired) && current.running && !tagMoved;
    if (unchanged) return { diff: { service: unit.service, object, change: 'unchanged', diff: '' }, current, desired };
    const oldLines = renderSpec(
      current.spec,
      { state: current.stateText, imageNote: tagMoved ? `@${current.imageId.slice(7, 19)}` : undefined },
    );
    const newLines = renderSpec(
      desired,
      { state: 'running', imageNote: tagMoved && desiredId ? `@${desiredId.slice(7, 19)}` : newNote },
      current.spec,
    );
    const text = unifiedDiff(oldLines, newLines, `${object} (revision ${current.revision})`, `${object} (release ${unit.releaseId})`);
    return { diff: { service: unit.service, object, change: 'modify', diff: text }, current, desired };
  }

  // ---- status --------------------------------------------------------------------------------

  async function statusOf(service: string, options?: TargetCallOptions): Promise<ServiceStatus> {
    const current = await currentOf(service);
    if (!current) return { service, state: 'missing', revision: null, image: null, message: `no container ${containerName(environment, service)}` };
    const base = { service, revision: String(current.revision), image: current.spec.image };
    const url = current.publishedPort === null ? '' : ` at http://127.0.0.1:${current.publishedPort}`;
    if (!current.running) {
      const logs = await containerLogs(current.id);
      return { ...base, state: 'failed', message: `revision ${current.revision} ${current.stateText}; last log lines:\n${logs}` };
    }
    const health = await waitHealthy(current.id, current.spec, 0, options?.signal);
    const starting = current.inspect.State.Health?.Status === 'starting' || (!health.ok && /not published yet|not started/.test(health.detail));
    const state = health.ok ? 'ready' : starting ? 'progressing' : 'failed';
    return { ...base, state, message: `revision ${current.revision} running${url}; ${health.detail}` };
  }

  // ---- the port ------------------------------------------------------------------------------

  let queue: Promise<unknown> = Promise.resolve();
  /** Changes run one at a time per target, so two applies never interleave replacements. */
  function serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    kind: 'docker',
    environment,

    async diff(units, options) {
      checkUnits(units);
      await ping();
      const objects: ObjectDiff[] = [];
      for (const unit of units) {
        throwIfAborted(options?.signal, `diff ${environment}`);
        objects.push((await diffOne(unit)).diff);
      }
      const text = objects
        .filter((o) => o.diff !== '')
        .map((o) => o.diff)
        .join('');
      return { environment, objects, text } satisfies TargetDiff;
    },

    apply(units, options?: ApplyOptions) {
      return serialized(async () => {
        const progress = progressOf(options);
        checkUnits(units);
        await ping();
        for (const unit of units) await requireImage(unit.service, unit.image);
        await checkPorts(units.map((u) => ({ service: u.service, spec: specOf(u) })));
        // Every unit's diff up front: a foreign container on a canonical name is refused before any change.
        const diffs = [];
        for (const unit of units) diffs.push(await diffOne(unit));
        const objects: AppliedObject[] = [];
        for (const [index, unit] of units.entries()) {
          throwIfAborted(options?.signal, `apply ${environment}`);
          const { diff, current, desired } = diffs[index]!;
          const fraction = (f: number) => (index + f) / units.length;
          if (diff.change === 'unchanged') {
            progress(`${environment}/${unit.service}: unchanged (revision ${current?.revision})`, fraction(1));
            objects.push({ service: unit.service, object: diff.object, action: 'unchanged' });
            continue;
          }
          await replace(
            desired,
            { service: unit.service, releaseId: unit.releaseId, commit: unit.commit, createFrom: unit.image, rollbackOf: null },
            options ?? {},
            fraction,
          );
          objects.push({ service: unit.service, object: diff.object, action: current ? 'configured' : 'created' });
        }
        return { environment, objects } satisfies ApplyResult;
      });
    },

    async waitReady(units, options: WaitOptions) {
      checkUnits(units);
      await ping();
      const progress = progressOf(options);
      const deadline = Date.now() + options.deadlineMs;
      const out: ServiceStatus[] = [];
      for (const unit of units) {
        throwIfAborted(options.signal, `wait for ${environment}`);
        const where = `${environment}/${unit.service}`;
        const current = await currentOf(unit.service);
        if (!current) throw new ConvoyError('HEALTH_FAILED', `${where}: no container ${containerName(environment, unit.service)} is deployed`);
        progress(`${where}: checking revision ${current.revision}`);
        const health = await waitHealthy(current.id, current.spec, Math.max(0, deadline - Date.now()), options.signal);
        throwIfAborted(options.signal, `wait for ${where}`);
        if (!health.ok) {
          const logs = await containerLogs(current.id);
          throw new ConvoyError(
            'HEALTH_FAILED',
            `${where}: revision ${current.revision} (${current.name}) is not healthy: ${health.detail}\nLast log lines:\n${logs}`,
          );
        }
        const url = current.publishedPort === null ? '' : ` at http://127.0.0.1:${current.publishedPort}`;
        progress(`${where}: ready`);
        out.push({
          service: unit.service,
          state: 'ready',
          revision: String(current.revision),
          image: current.spec.image,
          message: `revision ${current.revision} running${url}; ${health.detail}`,
        });
      }
      return out;
    },

    async status(services, options) {
      for (const service of services) checkNamePart('service', service);
      await ping();
      const out: ServiceStatus[] = [];
      for (const service of services) {
        throwIfAborted(options?.signal, `status of ${environment}`);
        out.push(await statusOf(service, options));
      }
      return out;
    },

    async revisions(service, options) {
      checkNamePart('service', service);
      await ping();
      throwIfAborted(options?.signal, `revisions of ${environment}/${service}`);
      return (await listRevisions(service))
        .filter((r) => r.role !== 'candidate')
        .map(
          (r): TargetRevision => ({
            service,
            revision: String(r.revision),
            image: r.spec.image,
            commit: r.commit,
            releaseId: r.releaseId,
            createdAt: r.createdAt,
            current: r.role === 'current',
          }),
        );
    },

    rollback(service, toRevision, options) {
      return serialized(async (): Promise<RollbackResult> => {
        checkNamePart('service', service);
        await ping();
        const where = `${environment}/${service}`;
        const all = (await listRevisions(service)).filter((r) => r.role !== 'candidate');
        const current = all.find((r) => r.role === 'current') ?? null;
        const known = all.map((r) => `${r.revision}${r.role === 'current' ? ' (current)' : ''}`).join(', ') || 'none';
        let target: Revision | undefined;
        if (toRevision !== undefined) {
          target = all.find((r) => String(r.revision) === toRevision.trim());
          if (!target) throw new ConvoyError('ROLLBACK_REFUSED', `${where}: unknown revision ${toRevision}; known revisions: ${known}`);
        } else {
          if (!current) throw new ConvoyError('ROLLBACK_REFUSED', `${where}: nothing is deployed to roll back; known revisions: ${known}`);
          target = all.find((r) => r.revision < current.revision);
          if (!target) throw new ConvoyError('ROLLBACK_REFUSED', `${where}: no revision before ${current.revision}; known revisions: ${known}`);
        }
        if (current && target.id === current.id) {
          throw new ConvoyError('ROLLBACK_REFUSED', `${where}: revision ${target.revision} is already current; known revisions: ${known}`);
        }
        const imageId = await imageExists(target.imageId);
        if (imageId === null) {
          throw new ConvoyError('NOT_FOUND', `${where}: the image of revision ${target.revision} (${target.spec.image}) is no longer in the local engine`);
        }
        const spec: ServiceSpec = { ...target.spec, hostPort: hostPortFor(service) };
        checkSpec(environment, service, spec);
        await checkPorts([{ service, spec }]);
        progressOf(options)(`${where}: rolling back from revision ${current?.revision ?? 'none'} to a copy of revision ${target.revision}`, 0);
        const revision = await replace(
          spec,
          { service, releaseId: target.releaseId, commit: target.commit, createFrom: imageId, rollbackOf: target.revision },
          options ?? {},
          (f) => f,
        );
        return { service, from: current ? String(current.revision) : null, to: String(target.revision), current: String(revision) };
      });
    },
  };
}
