// `release.start`: one change taken through the environments of convoy.yaml by the release engine
// (electron/core/release/engine.ts), with the real world plugged in: the workspace, the image builder,
// the deploy targets, the store (journal and record), a lock per environment, approvals from
// release.approve (or up front), and `release.updated` events as the record changes.
import os from 'node:os';
import type { EnvironmentConfig } from '../../../shared/config.js';
import { ConvoyError } from '../../../shared/errors.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import type { EventSink } from '../../core/events.js';
import type { LeaseKeeper } from '../../core/lease.js';
import type { DockerEnginePort } from '../../core/ports/docker-engine.js';
import type { HistoryStore } from '../../core/ports/history-store.js';
import type { ImageBuilderPort } from '../../core/ports/image-builder.js';
import type { ImageRegistryPort, PushRetry } from '../../core/ports/image-registry.js';
import type { Progress, WorkspacePort } from '../../core/ports/workspace.js';
import { type RedactionGate, createRedactionGate } from '../../core/redact.js';
import { type ResumeFrom, runRelease } from '../../core/release/engine.js';
import { environmentsUpTo } from '../../core/release/environments.js';
import type { EnvironmentLock, ImageInspector } from '../../core/release/run-ports.js';
import type { ConfigPort } from '../../core/ports/config.js';
import type { GitPort } from '../../core/ports/git.js';
import type { TargetFactory } from '../../core/ports/target-factory.js';
import type { GateObject } from '../../core/release/gates.js';
import type { DeployUnit } from '../../core/ports/deploy-target.js';
import type { ApprovalMode, LiveReleases } from './live-releases.js';
import { type Selected, releaseEnvironment, selectRelease } from './release-setup.js';
import { storeRecorder } from './store-recorder.js';

export interface ReleaseStartInput {
  dir: string;
  environment: string;
  only?: boolean;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  projects?: string[];
  approval?: ApprovalMode;
  by?: string;
  /** Run every test, also those the store remembers as passed. */
  rerunTests?: boolean;
}

export interface ReleaseRunDeps {
  workspace: WorkspacePort;
  builder: ImageBuilderPort;
  images: ImageInspector;
  docker: DockerEnginePort;
  store: HistoryStore;
  events: EventSink;
  live: LiveReleases;
  lock: EnvironmentLock;
  /** The targets' changes hold their environment's lease under the release's id (electron/core/lease.ts). */
  leases?: LeaseKeeper;
  newId: () => string;
  env?: NodeJS.ProcessEnv;
  /** The app's redaction gate; the release adds its secrets to it. */
  redaction?: RedactionGate;
  now?: () => Date;
  makeTarget: TargetFactory;
  config: ConfigPort;
  git: Pick<GitPort, 'headCommit' | 'headAuthor'>;
  /**
   * Pushes images to the environments' registries (electron/adapters/registry), told where to put the
   * credentials it finds (the release's redaction gate); only used when an environment names a registry.
   */
  registry?: (remember: (secrets: string[]) => void) => ImageRegistryPort;
  /** Attempts and backoff for transient push failures (tests pass one that does not wait). */
  pushRetry?: PushRetry;
  /** What the gates see for an environment's units (electron/adapters/gate-inputs). */
  gateObjects: (environment: EnvironmentConfig, units: readonly DeployUnit[]) => Promise<GateObject[]>;
}

export interface ReleaseRunContext {
  progress?: Progress;
  signal?: AbortSignal;
  jobId?: string;
}

/** Resuming an interrupted release (electron/features/recover): its id, and what its record and journal say. */
export interface ResumeRelease {
  releaseId: string;
  from: ResumeFrom;
}

/** Who acts when nobody says: the OS user on this host. */
export function defaultPerson(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return `unknown@${os.hostname()}`;
  }
}

/** One progress line per stage change, for job.progress (the CLI's plain lines come from the record). */
function progressOf(report: ReleaseReport): string | null {
  const stage = report.stages.at(-1);
  if (!stage) return null;
  const where = stage.environment ? `${stage.environment}: ` : '';
  return `${where}${stage.name} ${stage.state}${stage.message ? ` — ${stage.message}` : ''}`;
}

export async function startRelease(input: ReleaseStartInput, deps: ReleaseRunDeps, ctx: ReleaseRunContext = {}, resume?: ResumeRelease): Promise<ReleaseReport> {
  const env = deps.env ?? process.env;
  const now = deps.now ?? (() => new Date());
  const root = deps.config.workspaceRoot(input.dir);
  const { config, file } = deps.config.workspaceConfig(root);
  // Refusals that need no slow work come first, so nothing is built for a release that cannot run.
  const settings = environmentsUpTo(config, input.environment, { only: input.only, file });
  const approval = input.approval ?? 'wait';
  const needing = settings.filter((s) => s.approvalRequired && !resume?.from.approvals.has(s.name)).map((s) => s.name);
  if (approval === 'refuse' && needing.length > 0) {
    throw new ConvoyError(
      'APPROVAL_REQUIRED',
      `${needing.join(', ')} ${needing.length > 1 ? 'need' : 'needs'} approval and nobody can be asked here: pass --yes to approve up front, run it in a terminal to be asked, or start it from the console; nothing was done`,
    );
  }
  const docker = await deps.docker.status();
  if (!docker.reachable) throw new ConvoyError('DOCKER_UNAVAILABLE', docker.error ?? `Docker Engine not reachable at ${docker.endpoint}`);

  const releaseId = resume?.releaseId ?? deps.newId();
  const kubeconfigs = config.environments.flatMap((e) => (e.target.kind === 'kubernetes' && e.target.kubeconfig ? [deps.config.resolvePath(e.target.kubeconfig, root)] : []));
  // The app's gate (every store write and event passes it too) learns this release's secrets.
  const gate = deps.redaction ?? createRedactionGate();
  gate.add(deps.config.knownSecrets(env, kubeconfigs));
  const addSecrets = (values: string[]) => gate.add(values);
  const redact = (line: string) => gate.text(line);

  let selected: Selected | null = null;
  const secretNames = new Set(config.secrets.env);
  const targets = settings.map((s) => deps.makeTarget(s.config, root, deps.leases, gate, env));
  const environments = settings.map((s, i) =>
    releaseEnvironment(s, targets[i]!, {
      releaseId,
      env,
      secretNames,
      addSecrets,
      gateObjects: deps.gateObjects,
      selected: () => {
        if (!selected) throw new ConvoyError('INTERNAL', 'the release has no selection yet');
        return selected;
      },
    }),
  );
  const signal = deps.live.start(releaseId, ctx.signal);
  let lastProgress: string | null = null;
  try {
    return await runRelease(
      {
        releaseId,
        workspace: root,
        target: input.environment,
        only: input.only ?? false,
        environments,
        ...(resume ? { resume: resume.from } : {}),
        select: async (sig) => {
          selected = await selectRelease(input, { workspace: deps.workspace, configPort: deps.config, git: deps.git, config, env, releaseId, environments: settings.map((s) => s.name), now, progress: ctx.progress, signal: sig });
          const previous = resume?.from.previous;
          if (previous && previous.services.length > 0) {
            // A resumed release deploys what it set out to, whatever the workspace's affected set is now.
            const services = new Set(previous.services);
            selected = { ...selected, base: previous.base, head: previous.head, commit: previous.commit, author: previous.author, affected: previous.affected, services: previous.services, order: previous.order, builds: selected.builds.filter((b) => services.has(b.project)) };
          }
          addSecrets(selected.secrets);
          addSecrets(deps.config.workspaceSecrets(selected.root, config, env, selected.projects));
          return selected;
        },
      },
      {
        builder: deps.builder,
        images: deps.images,
        recorder: storeRecorder(deps.store, releaseId, redact, deps.events, ctx.jobId ?? null, { ...input }, resume !== undefined),
        lock: deps.lock,
        approver: deps.live.approver(approval, input.by ?? `${defaultPerson()} (--yes)`),
        clock: { now },
        redact,
        buildConcurrency: config.build.concurrency ?? Math.max(1, os.availableParallelism()),
        testResults: deps.store,
        rerunTests: input.rerunTests === true,
        ...(deps.registry && settings.some((s) => s.config.registry) ? { registry: deps.registry(addSecrets) } : {}),
        ...(deps.pushRetry ? { pushRetry: deps.pushRetry } : {}),
        signal,
        onUpdate: (report) => {
          deps.live.update(report);
          deps.events.emit('release.updated', { releaseId, jobId: ctx.jobId ?? null, report });
          const line = progressOf(report);
          if (line !== null && line !== lastProgress) ctx.progress?.(line);
          lastProgress = line;
        },
      },
    );
  } finally {
    deps.live.end(releaseId);
    await Promise.all(targets.map((t) => t.close?.()));
  }
}
