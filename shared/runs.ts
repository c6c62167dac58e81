// The run model: everything Convoy does to the world is a run of one kind — a build-and-test run
// (`build`), a release (`release`), a rollback of one service (`rollback`) or a drill (`drill`). A run
// has stages and steps (an intent row before each side effect, its result after; electron/core/journal.ts)
// and typed events. Event names come from a closed set, each with its own payload schema, so the store,
// the contract and DORA metrics read the same shapes.
import { z } from 'zod';
import { ErrorPayload } from './errors.js';

export const RunKind = z.enum(['build', 'release', 'rollback', 'drill']);
export type RunKind = z.infer<typeof RunKind>;

/** `interrupted`: left `running` by a process that is gone (killed, crashed); convoy recover takes it on. */
export const RunStatus = z.enum(['planned', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

/**
 * The process that runs a run: its pid, when that process started (an opaque token, e.g. the boot id and
 * start tick from /proc on Linux, so a pid reused after the owner died is not mistaken for it; null where
 * the platform cannot say) and the host. electron/core/owner.ts decides from it whether the owner is gone.
 */
export const RunOwner = z.object({ pid: z.number().int(), startedAt: z.string().nullable(), host: z.string() });
export type RunOwner = z.infer<typeof RunOwner>;

export const RunSummary = z.object({
  id: z.string(),
  kind: RunKind,
  workspace: z.string(),
  /** The environment a rollback, release or drill changes; null for a build. */
  environment: z.string().nullable(),
  base: z.string().nullable(),
  head: z.string().nullable(),
  status: RunStatus,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  summary: z.string().nullable(),
  /** The process that created the run (absent on runs written before schema 4). */
  owner: RunOwner.optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

const TargetKind = z.enum(['kubernetes', 'docker']);

/** What a per-service rollback acts on; carried by both of its events. */
const RollbackSubject = z.object({
  workspace: z.string(),
  environment: z.string(),
  kind: TargetKind,
  service: z.string(),
  toRevision: z.string().nullable(),
});

const Holder = z.object({ runId: z.string(), pid: z.number().int(), host: z.string(), startedAt: z.string(), heartbeatAt: z.string() });

/** One schema per event name; the names are the closed set a run's events may carry. */
export const runEvents = {
  /** One redacted line of a build or test log. */
  'build.log': z.object({ project: z.string(), phase: z.enum(['build', 'test']), line: z.string() }),
  /** The build stage stopped with an error before every project had a result. */
  'build.failed': z.object({ error: ErrorPayload }),
  'target.rollback.started': RollbackSubject,
  'target.rollback.finished': z.union([
    RollbackSubject.extend({ ok: z.literal(true), from: z.string().nullable(), to: z.string(), current: z.string().nullable() }),
    RollbackSubject.extend({ ok: z.literal(false), error: ErrorPayload }),
  ]),
  /**
   * A release's full record (shared/release-report.ts, which imports shared/domain.ts and so cannot be
   * imported here), at its start and its end; history.get reads the newest and checks it against that
   * schema.
   */
  'release.report': z.object({ id: z.string(), state: z.string() }).passthrough(),
  'release.stageStarted': z.object({ releaseId: z.string(), stage: z.string(), environment: z.string().nullable() }),
  'release.stageFinished': z.object({ releaseId: z.string(), stage: z.string(), environment: z.string().nullable(), state: z.string(), message: z.string().nullable() }),
  /** An intermediate image a build committed (they carry no labels): removed if the build dies mid-way. */
  'docker.layer': z.object({ project: z.string(), imageId: z.string() }),
  /**
   * What a later process did with what this run left in Docker after its process died: removed
   * (test containers, `-next` candidates, dangling images) or adopted (finished images kept).
   */
  'leftovers.swept': z.object({
    reason: z.string(),
    by: RunOwner,
    removed: z.array(z.string()),
    adopted: z.array(z.string()),
  }),
  /** A layer of an image being pushed to a registry moved on (issue 16): one event per status change. */
  'release.pushProgress': z.object({
    releaseId: z.string(),
    repository: z.string(),
    layer: z.string(),
    status: z.string(),
    current: z.number().nullable(),
    total: z.number().nullable(),
  }),
  /** A push attempt failed with a transient error and is tried again after `delayMs`. */
  'release.pushRetry': z.object({ releaseId: z.string(), repository: z.string(), attempt: z.number().int(), delayMs: z.number().int(), error: ErrorPayload }),
  /** This run took an environment's lease from a holder that had died (its process gone, or silent too long). */
  'lease.reclaimed': z.object({ environment: z.string(), from: Holder, reason: z.string() }),
  /** A later process found this run left `running` by a process that is gone, and marked it interrupted. */
  'run.interrupted': z.object({ owner: RunOwner.nullable(), reason: z.string(), by: RunOwner }),
  /** What `release.start` was asked (so `convoy recover --resume` can run the same selection again). */
  'release.input': z.object({ input: z.record(z.string(), z.unknown()) }),
  /** `convoy recover --resume` / `--rollback` took on this interrupted release. */
  'release.recovered': z.object({ action: z.enum(['resume', 'rollback']), by: RunOwner }),
  /**
   * An approval decision given in another process (`convoy approve`, another console) for a release that
   * waits in the process running it; that process reads it from the store and goes on.
   */
  'release.decision': z.object({
    environment: z.string(),
    decision: z.enum(['approved', 'rejected']),
    by: z.string(),
    at: z.string(),
    comment: z.string().nullable(),
  }),
  /** release.cancel asked in another process; the process running the release reads it and stops at its next safe point. */
  'release.cancelRequested': z.object({ by: z.string(), at: z.string() }),
} as const;

export type RunEventName = keyof typeof runEvents;
export type RunEventPayload<K extends RunEventName> = z.infer<(typeof runEvents)[K]>;

export function isRunEventName(name: unknown): name is RunEventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(runEvents, name);
}

/** Checks an event before it is stored; the error names the event and the first wrong field. */
export function parseRunEvent<K extends RunEventName>(name: K, payload: unknown): RunEventPayload<K> {
  if (!isRunEventName(name)) throw new Error(`"${String(name)}" is not a run event; known events: ${Object.keys(runEvents).join(', ')}`);
  const parsed = runEvents[name].safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Event ${name} has an invalid payload: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data as RunEventPayload<K>;
}
