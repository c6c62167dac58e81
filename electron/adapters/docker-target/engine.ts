// The Docker Engine as the Docker target sees it: one TargetEngine per target (one environment) wraps
// the dockerode client and reads the state back from Docker — the revisions of a service (containers
// with Convoy's labels), the canonical container, images in the local engine, a container's last log
// lines — and checks fixed host ports before anything changes. Every dockerode call goes through
// call(), which turns transport failures into DOCKER_UNAVAILABLE and prefixes API errors with the
// environment and what was being done. Also the small error, cancellation and progress helpers that
// health.ts, replace.ts and docker-target.ts share.
import { createServer } from 'node:net';
import Docker from 'dockerode';
import { ConvoyError } from '../../../shared/errors.js';
import type { TargetCallOptions } from '../../core/ports/deploy-target.js';
import type { Progress } from '../../core/ports/workspace.js';
import { dockerOptions } from '../docker/docker-engine.js';
import { isUnreachable, messageOf, statusCodeOf } from '../docker/docker-errors.js';
import {
  LABELS,
  MANAGED_BY,
  containerName,
  decodeSpecLabel,
  demuxDockerLog,
  envFromList,
  lastLines,
  roleOf,
  type ServiceSpec,
} from './spec.js';

const LOG_TAIL_LINES = 20;
const DOCKER_CALL_TIMEOUT_MS = 120_000;

/** One container of this environment/service, read from Docker. */
export interface Revision {
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

// The same error readers the image builder uses.
export { messageOf, statusCodeOf } from '../docker/docker-errors.js';

export function cancelled(what: string): ConvoyError {
  return new ConvoyError('CANCELLED', `${what}: cancelled`);
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw cancelled(what);
}

export function progressOf(options?: TargetCallOptions): Progress {
  return options?.progress ?? (() => undefined);
}

export function stateText(state: Docker.ContainerInspectInfo['State']): string {
  if (state.Running) return state.Restarting ? 'restarting' : 'running';
  if (state.Status === 'exited' || state.Status === 'dead') return `${state.Status} (code ${state.ExitCode})`;
  return state.Status;
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

export class TargetEngine {
  /** The dockerode client; wrap calls in call(). */
  readonly docker: Docker;

  constructor(
    readonly environment: string,
    readonly endpoint: string,
    /** Grace period of `docker stop` before SIGKILL. */
    private readonly stopSeconds: number,
  ) {
    try {
      this.docker = new Docker({ ...dockerOptions(endpoint), timeout: DOCKER_CALL_TIMEOUT_MS });
    } catch (err) {
      throw new ConvoyError('DOCKER_UNAVAILABLE', `${messageOf(err)} (environment ${environment})`);
    }
  }

  private unavailable(err: unknown): ConvoyError {
    return new ConvoyError(
      'DOCKER_UNAVAILABLE',
      `Docker Engine not reachable at ${this.endpoint} for environment ${this.environment} (${messageOf(err)}) — ` +
        'start Docker (e.g. `sudo systemctl start docker`, Docker Desktop or `podman machine start`) or set DOCKER_HOST to a running engine',
    );
  }

  /** Connection failures become DOCKER_UNAVAILABLE; anything else keeps its context (and statusCode). */
  async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ConvoyError) throw err;
      if (isUnreachable(err)) throw this.unavailable(err);
      const error = new Error(`${this.environment}: ${what}: ${messageOf(err)}`, { cause: err });
      (error as Error & { statusCode?: number }).statusCode = statusCodeOf(err);
      throw error;
    }
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      // After an engine restart the first request may go out on a kept-alive connection the old
      // engine closed (EPIPE / ECONNRESET); a ping is safe to repeat, on a fresh connection.
      const code = (err as { code?: unknown } | null)?.code;
      if (code !== 'EPIPE' && code !== 'ECONNRESET') throw this.unavailable(err);
      try {
        await this.docker.ping();
      } catch (again) {
        throw this.unavailable(again);
      }
    }
  }

  // ---- reading state from Docker -------------------------------------------------------------

  private toRevision(service: string, info: Docker.ContainerInspectInfo): Revision | null {
    const role = roleOf(info.Name, this.environment, service);
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
  async listRevisions(service: string): Promise<Revision[]> {
    const summaries = await this.call(`list containers of ${service}`, () =>
      this.docker.listContainers({
        all: true,
        filters: {
          label: [`${LABELS.managedBy}=${MANAGED_BY}`, `${LABELS.environment}=${this.environment}`, `${LABELS.service}=${service}`],
        },
      }),
    );
    const out: Revision[] = [];
    for (const summary of summaries) {
      try {
        const info = await this.call(`inspect ${summary.Id}`, () => this.docker.getContainer(summary.Id).inspect());
        const rev = this.toRevision(service, info);
        if (rev) out.push(rev);
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw err; // removed meanwhile
      }
    }
    return out.sort((a, b) => b.revision - a.revision);
  }

  /** The canonical container, or null; refuses a foreign container squatting on the name. */
  async currentOf(service: string): Promise<Revision | null> {
    const environment = this.environment;
    const name = containerName(environment, service);
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.call(`inspect ${name}`, () => this.docker.getContainer(name).inspect());
    } catch (err) {
      if (statusCodeOf(err) === 404) return null;
      throw err;
    }
    const labels = info.Config.Labels ?? {};
    const ours =
      labels[LABELS.managedBy] === MANAGED_BY && labels[LABELS.environment] === environment && labels[LABELS.service] === service;
    const rev = ours ? this.toRevision(service, info) : null;
    if (!rev) {
      throw new ConvoyError(
        'CONFIG_INVALID',
        `${environment}/${service}: container ${name} exists but was not created by Convoy for this environment and service; remove or rename it`,
      );
    }
    return rev;
  }

  /** The image's id, or null when the local engine does not have it. */
  async imageExists(ref: string): Promise<string | null> {
    try {
      const info = await this.call(`inspect image ${ref}`, () => this.docker.getImage(ref).inspect());
      return info.Id;
    } catch (err) {
      if (statusCodeOf(err) === 404) return null;
      throw err;
    }
  }

  async requireImage(service: string, ref: string): Promise<string> {
    const id = await this.imageExists(ref);
    if (id === null) {
      throw new ConvoyError(
        'NOT_FOUND',
        `${this.environment}/${service}: image ${ref} is not in the local Docker Engine at ${this.endpoint}; build it first (the Docker target never pulls)`,
      );
    }
    return id;
  }

  /** The container's last log lines, or a note saying why there are none. Never throws. */
  async containerLogs(id: string): Promise<string> {
    try {
      const raw = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL_LINES });
      const text = lastLines(demuxDockerLog(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))), LOG_TAIL_LINES);
      return text === '' ? '(no output)' : text;
    } catch (err) {
      return `(logs unavailable: ${messageOf(err)})`;
    }
  }

  // ---- changing containers -------------------------------------------------------------------

  /** Force-removes a container (and its anonymous volumes); gone or being removed already is fine. */
  async removeQuietly(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (statusCodeOf(err) !== 404 && statusCodeOf(err) !== 409) throw err;
    }
  }

  async stopQuietly(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: this.stopSeconds });
    } catch (err) {
      if (statusCodeOf(err) !== 304 && statusCodeOf(err) !== 404) throw err; // 304: already stopped
    }
  }

  // ---- ports ---------------------------------------------------------------------------------

  /** PORT_IN_USE before anything changes, for every fixed host port of these services. */
  async checkPorts(specs: Array<{ service: string; spec: ServiceSpec }>): Promise<void> {
    const environment = this.environment;
    const claimed = new Map<number, string>();
    for (const { service, spec } of specs) {
      const port = spec.hostPort;
      if (port === null) continue;
      const other = claimed.get(port);
      if (other !== undefined) {
        throw new ConvoyError('PORT_IN_USE', `${environment}: host port ${port} is configured for both ${other} and ${service}`);
      }
      claimed.set(port, service);
      const current = await this.currentOf(service);
      if (current?.running && current.publishedPort === port) continue; // our own, replaced in turn
      const running = await this.call('list running containers', () => this.docker.listContainers({ all: false }));
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
}
