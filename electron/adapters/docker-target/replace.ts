// The health-checked replacement of a service's container (apply, rollback), as described in
// docker-target.ts: blue/green on a Docker-chosen port, stop-then-start with restore on a fixed host
// port. Creates the new revision `convoy-<env>-<service>-next-<rev>` with the labels that make it
// self-describing, waits for it to be healthy, then retires the old revision (`-r<old>`), promotes the
// new one to the canonical name and prunes retired revisions beyond `keepRetired`. On failure or
// cancellation the new container is removed and the previous revision is left serving (restarted, on
// a fixed port), and HEALTH_FAILED / CANCELLED / PORT_IN_USE says what happened to it.
import { ConvoyError } from '../../../shared/errors.js';
import type { TargetCallOptions } from '../../core/ports/deploy-target.js';
import {
  LABELS,
  MANAGED_BY,
  candidateName,
  containerName,
  encodeSpecLabel,
  envToList,
  retiredName,
  type ServiceSpec,
} from './spec.js';
import { cancelled, messageOf, progressOf, statusCodeOf, throwIfAborted, type Revision, type TargetEngine } from './engine.js';
import type { WaitHealthy } from './health.js';
import { crashPoint } from '../../core/crash-points.js';
import { ownedBy } from '../system/process-identity.js';

export interface ReplaceMeta {
  service: string;
  releaseId: string | null;
  /** The run making this change (labelled with this process as its owner, so a dead run's candidate is found). */
  runId: string | null;
  commit: string | null;
  /** What Docker creates from: the image ref, or an image id for rollbacks. */
  createFrom: string;
  rollbackOf: number | null;
}

export interface ReplaceSettings {
  /** How long a new revision (or a restored old one) has to become healthy. */
  healthDeadlineMs: number;
  /** Retired revisions kept per service. */
  keepRetired: number;
  /** Extra labels on every container created. */
  extraLabels: Record<string, string>;
}

export class Replacer {
  constructor(
    private readonly engine: TargetEngine,
    private readonly waitHealthy: WaitHealthy,
    private readonly settings: ReplaceSettings,
  ) {}

  /** Starts the old revision again after a failed fixed-port replacement; says how that went. */
  private async restore(old: Revision): Promise<string> {
    try {
      await this.engine.call(`restart ${old.name}`, () => this.engine.docker.getContainer(old.id).start());
    } catch (err) {
      if (statusCodeOf(err) !== 304) return `restoring revision ${old.revision} (${old.name}) FAILED: ${messageOf(err)}`;
    }
    const health = await this.waitHealthy(old.id, old.spec, this.settings.healthDeadlineMs);
    return health.ok
      ? `revision ${old.revision} (${old.name}) was restored and is serving`
      : `revision ${old.revision} (${old.name}) was restarted but is not healthy: ${health.detail}`;
  }

  private async prune(service: string): Promise<void> {
    const retired = (await this.engine.listRevisions(service)).filter((r) => r.role === 'retired');
    for (const old of retired.slice(this.settings.keepRetired)) await this.engine.removeQuietly(old.id);
  }

  /** The highest revision number seen for the service plus one. */
  private async nextRevision(service: string): Promise<number> {
    const all = await this.engine.listRevisions(service);
    return (all[0]?.revision ?? 0) + 1;
  }

  /** The health-checked replacement. Resolves with the new revision number. */
  async replace(spec: ServiceSpec, meta: ReplaceMeta, options: TargetCallOptions, fraction: (f: number) => number): Promise<number> {
    const { engine } = this;
    const { docker, environment } = engine;
    const { healthDeadlineMs, extraLabels } = this.settings;
    const { service } = meta;
    const signal = options.signal;
    const progress = progressOf(options);
    const where = `${environment}/${service}`;
    throwIfAborted(signal, `deploy ${where}`);

    // Left behind by an interrupted earlier run.
    for (const stale of (await engine.listRevisions(service)).filter((r) => r.role === 'candidate')) {
      progress(`${where}: removing ${stale.name} left by an interrupted deploy`);
      await engine.call(`remove ${stale.name}`, () => engine.removeQuietly(stale.id));
    }
    const old = await engine.currentOf(service);
    const revision = await this.nextRevision(service);
    const fixed = spec.hostPort !== null;
    const name = candidateName(environment, service, revision);
    const exposed = spec.port === null ? undefined : `${spec.port}/tcp`;

    progress(`${where}: creating ${name} (revision ${revision}, ${spec.image})`, fraction(0.1));
    const created = await engine.call(`create ${name}`, () =>
      docker.createContainer({
        name,
        Image: meta.createFrom,
        Env: envToList(spec.env),
        Labels: {
          ...extraLabels,
          ...(meta.runId === null ? {} : ownedBy(meta.runId)),
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
    const undo = async (): Promise<string> => {
      await engine.removeQuietly(created.id);
      if (stoppedOld && old) return this.restore(old);
      if (!old) return 'there was no previous revision';
      if (!old.running) return `revision ${old.revision} (${old.name}) was not running (${old.stateText}) and is left as it was`;
      return `revision ${old.revision} (${old.name}) kept serving`;
    };

    try {
      if (stoppedOld && old) {
        progress(`${where}: stopping revision ${old.revision} to free host port ${spec.hostPort}`, fraction(0.2));
        await engine.call(`stop ${old.name}`, () => engine.stopQuietly(old.id));
      }
      throwIfAborted(signal, `deploy ${where}`);
      progress(`${where}: starting ${name}`, fraction(0.3));
      await engine.call(`start ${name}`, () => created.start());
      crashPoint('docker-target.candidate.started');
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
    let health: Awaited<ReturnType<typeof this.waitHealthy>>;
    try {
      health = await this.waitHealthy(created.id, spec, healthDeadlineMs, signal);
    } catch (err) {
      // The engine failed mid-check (gone, or the container vanished): still put the old revision back.
      const outcome = await undo();
      if (err instanceof ConvoyError) throw new ConvoyError(err.code, `${err.message}; ${outcome}`);
      throw new Error(`${messageOf(err)}; ${outcome}`, { cause: err });
    }
    if (!health.ok || signal?.aborted) {
      const logs = await engine.containerLogs(created.id);
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
      if (old.running) await engine.call(`stop ${old.name}`, () => engine.stopQuietly(old.id));
      await engine.call(`rename ${old.name}`, () =>
        docker.getContainer(old.id).rename({ name: retiredName(environment, service, old.revision) }),
      );
    }
    await engine.call(`rename ${name}`, () => docker.getContainer(created.id).rename({ name: containerName(environment, service) }));
    await engine.call(`set restart policy of ${name}`, () =>
      docker.getContainer(created.id).update({ RestartPolicy: { Name: 'unless-stopped' } }),
    );
    await this.prune(service);
    progress(`${where}: revision ${revision} is current${old ? `; revision ${old.revision} retired` : ''}`, fraction(1));
    return revision;
  }
}
