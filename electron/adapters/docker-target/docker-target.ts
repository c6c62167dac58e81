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
//
// Modules: spec.ts (pure: names, labels, the compared spec, text diff), engine.ts (TargetEngine: the
// dockerode calls, reading revisions, images, logs, the host port checks), health.ts (probes and
// waiting), replace.ts (Replacer: the replacement, restore and pruning above). This file holds the
// config, the factory that wires them for one environment, diff/status and the DeployTargetPort methods.
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
import { dockerEndpoint } from '../docker/docker-engine.js';
import { removeServiceContainers } from './cleanup.js';
import { TargetEngine, progressOf, throwIfAborted, type Revision } from './engine.js';
import { healthWaiter } from './health.js';
import { Replacer } from './replace.js';
import { checkNamePart, checkSpec, containerName, renderSpec, sameSpec, secretEnvKeys, unifiedDiff, type ServiceSpec } from './spec.js';

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

export function createDockerTarget(config: DockerTargetConfig): DeployTargetPort {
  const environment = config.environment;
  checkNamePart('environment', environment);
  const healthDeadlineMs = config.healthDeadlineMs ?? DEFAULT_HEALTH_DEADLINE_MS;
  const endpoint = config.endpoint ?? dockerEndpoint();
  const engine = new TargetEngine(environment, endpoint, config.stopTimeoutSeconds ?? DEFAULT_STOP_SECONDS);
  const waitHealthy = healthWaiter(engine, {
    pollMs: config.pollIntervalMs ?? DEFAULT_POLL_MS,
    settleMs: config.settleMs ?? DEFAULT_SETTLE_MS,
  });
  const replacer = new Replacer(engine, waitHealthy, {
    healthDeadlineMs,
    keepRetired: config.keepRetired ?? DEFAULT_KEEP_RETIRED,
    extraLabels: config.labels ?? {},
  });

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

  // ---- diff ----------------------------------------------------------------------------------

  async function diffOne(unit: DeployUnit): Promise<{ diff: ObjectDiff; current: Revision | null; desired: ServiceSpec }> {
    const desired = specOf(unit);
    const current = await engine.currentOf(unit.service);
    const object = `container ${containerName(environment, unit.service)}`;
    const desiredId = await engine.imageExists(unit.image);
    const newNote = desiredId === null ? '(not in the local engine)' : undefined;
    const secrets = new Set(unit.secrets ?? []);
    const secretKeys = secretEnvKeys([desired, current?.spec], secrets);
    if (!current) {
      const lines = renderSpec(desired, { state: 'running', imageNote: newNote, secrets, secretKeys });
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
      { state: current.stateText, imageNote: tagMoved ? `@${current.imageId.slice(7, 19)}` : undefined, secrets, secretKeys },
    );
    const newLines = renderSpec(
      desired,
      { state: 'running', imageNote: tagMoved && desiredId ? `@${desiredId.slice(7, 19)}` : newNote, secrets, secretKeys },
      current.spec,
    );
    const text = unifiedDiff(oldLines, newLines, `${object} (revision ${current.revision})`, `${object} (release ${unit.releaseId})`);
    return { diff: { service: unit.service, object, change: 'modify', diff: text }, current, desired };
  }

  // ---- status --------------------------------------------------------------------------------

  async function statusOf(service: string, options?: TargetCallOptions): Promise<ServiceStatus> {
    const current = await engine.currentOf(service);
    if (!current) return { service, state: 'missing', revision: null, image: null, message: `no container ${containerName(environment, service)}` };
    const base = { service, revision: String(current.revision), image: current.spec.image };
    const url = current.publishedPort === null ? '' : ` at http://127.0.0.1:${current.publishedPort}`;
    if (!current.running) {
      const logs = await engine.containerLogs(current.id);
      return { ...base, state: 'failed', message: `revision ${current.revision} ${current.stateText}; last log lines:\n${logs}` };
    }
    const health = await waitHealthy(current.id, current.spec, 0, options?.signal);
    const starting = current.inspect.State.Health?.Status === 'starting' || (!health.ok && /not published yet|not started/.test(health.detail));
    const state = health.ok ? 'ready' : starting ? 'progressing' : 'failed';
    return { ...base, state, message: `revision ${current.revision} running${url}; ${health.detail}` };
  }

  async function applyUnits(units: DeployUnit[], options?: ApplyOptions): Promise<ApplyResult> {
    const progress = progressOf(options);
    checkUnits(units);
    await engine.ping();
    for (const unit of units) await engine.requireImage(unit.service, unit.image);
    await engine.checkPorts(units.map((u) => ({ service: u.service, spec: specOf(u) })));
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
      await replacer.replace(
        desired,
        { service: unit.service, releaseId: unit.releaseId, runId: options?.runId ?? unit.releaseId, commit: unit.commit, createFrom: unit.image, rollbackOf: null },
        options ?? {},
        fraction,
      );
      objects.push({ service: unit.service, object: diff.object, action: current ? 'configured' : 'created' });
    }
    return { environment, objects } satisfies ApplyResult;
  }

  async function waitUnits(units: DeployUnit[], options: WaitOptions): Promise<ServiceStatus[]> {
    checkUnits(units);
    await engine.ping();
    const progress = progressOf(options);
    const deadline = Date.now() + options.deadlineMs;
    const out: ServiceStatus[] = [];
    for (const unit of units) {
      throwIfAborted(options.signal, `wait for ${environment}`);
      const where = `${environment}/${unit.service}`;
      const current = await engine.currentOf(unit.service);
      if (!current) throw new ConvoyError('HEALTH_FAILED', `${where}: no container ${containerName(environment, unit.service)} is deployed`);
      progress(`${where}: checking revision ${current.revision}`);
      const health = await waitHealthy(current.id, current.spec, Math.max(0, deadline - Date.now()), options.signal);
      throwIfAborted(options.signal, `wait for ${where}`);
      if (!health.ok) {
        const logs = await engine.containerLogs(current.id);
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
  }

  /**
   * An engine that goes away mid-call is named with what was being done to which services, so a
   * release's error says which service it stopped at (the engine's own message says how to start it).
   */
  async function naming<T>(what: string, services: readonly string[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ConvoyError) || err.code !== 'DOCKER_UNAVAILABLE') throw err;
      throw new ConvoyError('DOCKER_UNAVAILABLE', `${what} ${services.map((s) => `${environment}/${s}`).join(', ')} stopped: ${err.message}`);
    }
  }

  async function rollbackService(service: string, toRevision: string | undefined, options: TargetCallOptions | undefined): Promise<RollbackResult> {
    checkNamePart('service', service);
    await engine.ping();
    const where = `${environment}/${service}`;
    const all = (await engine.listRevisions(service)).filter((r) => r.role !== 'candidate');
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
    const imageId = await engine.imageExists(target.imageId);
    if (imageId === null) {
      throw new ConvoyError('NOT_FOUND', `${where}: the image of revision ${target.revision} (${target.spec.image}) is no longer in the local engine`);
    }
    const spec: ServiceSpec = { ...target.spec, hostPort: hostPortFor(service) };
    checkSpec(environment, service, spec);
    await engine.checkPorts([{ service, spec }]);
    progressOf(options)(`${where}: rolling back from revision ${current?.revision ?? 'none'} to a copy of revision ${target.revision}`, 0);
    const revision = await replacer.replace(
      spec,
      { service, releaseId: target.releaseId, runId: options?.runId ?? null, commit: target.commit, createFrom: imageId, rollbackOf: target.revision },
      options ?? {},
      (f) => f,
    );
    return { service, from: current ? String(current.revision) : null, to: String(target.revision), current: String(revision) };
  }

  // Current, candidate and retired containers alike (by Convoy's labels, as `rehearse --clean`), so
  // no history is left to roll back to. The images stay, as the build cache.
  async function removeService(service: string, options: TargetCallOptions | undefined): Promise<{ service: string; removed: string[] }> {
    checkNamePart('service', service);
    await engine.ping();
    throwIfAborted(options?.signal, `remove ${environment}/${service}`);
    const removed = await removeServiceContainers(environment, [service], endpoint);
    progressOf(options)(`${environment}/${service}: ${removed.length === 0 ? 'nothing to remove' : `removed ${removed.join(', ')}`}`, 1);
    return { service, removed: removed.map((name) => `container ${name}`) };
  }

  // ---- the port ------------------------------------------------------------------------------

  // Changes (apply, rollback) are not serialised here: every target Convoy makes is wrapped by
  // electron/core/leased-target.ts, so changes to one environment hold its lease, across processes too.

  return {
    kind: 'docker',
    environment,

    async diff(units, options) {
      checkUnits(units);
      await engine.ping();
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
      return naming('Deploying', units.map((u) => u.service), () => applyUnits(units, options));
    },

    waitReady(units, options: WaitOptions) {
      return naming('Waiting for', units.map((u) => u.service), () => waitUnits(units, options));
    },

    async status(services, options) {
      for (const service of services) checkNamePart('service', service);
      await engine.ping();
      const out: ServiceStatus[] = [];
      for (const service of services) {
        throwIfAborted(options?.signal, `status of ${environment}`);
        out.push(await statusOf(service, options));
      }
      return out;
    },

    async revisions(service, options) {
      checkNamePart('service', service);
      await engine.ping();
      throwIfAborted(options?.signal, `revisions of ${environment}/${service}`);
      return (await engine.listRevisions(service))
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

    rollback(service, toRevision, options): Promise<RollbackResult> {
      return naming('Rolling back', [service], () => rollbackService(service, toRevision, options));
    },

    async remove(service, options) {
      return naming('Removing', [service], () => removeService(service, options));
    },
  };
}
