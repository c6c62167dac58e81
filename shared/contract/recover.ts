// `recover.*` (issue 13): releases a dead process left `running` are marked `interrupted` by the next
// Convoy process that opens the store; these commands show, per object, what such a release did (its
// journal read against the live targets) and take it on as the user chooses — resume it from the
// first unfinished step, or roll back every service it changed in the environment it was interrupted
// in, in reverse wave order. Never automatic.
import { z } from 'zod';
import { ErrorPayload } from '../errors.js';
import { LiveRevision, ReleaseReport, RollbackEntry } from '../release-report.js';
import { RunOwner } from '../runs.js';
import { Dir, job } from './define.js';

/**
 * One object (a service in an environment) the release meant to change:
 *  - `not-started`: what is live is what ran before the release (its apply never took effect, or was undone);
 *  - `applied-healthy`: the release's image is live and ready;
 *  - `applied-not-ready`: the release's image is live but not ready (rolling out, failing);
 *  - `unknown`: the target could not be read, or it runs something that is neither.
 */
export const ObjectState = z.enum(['not-started', 'applied-healthy', 'applied-not-ready', 'unknown']);
export type ObjectState = z.infer<typeof ObjectState>;

/** What the journal holds for the object's apply: no intent, an intent with no result, a result, or a rollback. */
export const JournalMark = z.enum(['none', 'intent-only', 'applied', 'apply-failed', 'rolled-back', 'removed']);
export type JournalMark = z.infer<typeof JournalMark>;

/** One Kubernetes object as a journal row or the cluster holds it; `exists: false` when it was not there. */
export const ObjectVersion = z.object({
  exists: z.boolean(),
  resourceVersion: z.string().nullable(),
  generation: z.number().int().nullable(),
  /** The release whose write it carries (a workload's pod template's mark, else the object's own). */
  release: z.string().nullable(),
});
export type ObjectVersion = z.infer<typeof ObjectVersion>;

/**
 * One Kubernetes object (Deployment, Service …) of a service, from its own journal rows
 * (`target.applyObject`: intent before its write, result after). The Docker target writes one object
 * per service, its container, which the service row itself stands for: its `resources` are empty.
 */
export const RecoveredResource = z.object({
  /** `Deployment shop/orders-api`. */
  object: z.string(),
  journal: z.enum(['intent-only', 'applied', 'apply-failed']),
  /** Read just before the release's first write of it. */
  before: ObjectVersion.nullable(),
  /** What its last recorded write left; null without a result row. */
  written: ObjectVersion.nullable(),
  /** What it is now; null when it could not be read. */
  live: ObjectVersion.nullable(),
  state: ObjectState,
  message: z.string(),
});
export type RecoveredResource = z.infer<typeof RecoveredResource>;

export const RecoveredObject = z.object({
  environment: z.string(),
  service: z.string(),
  /** Wave in that environment; null when the release had not planned the environment yet. */
  wave: z.number().int().nullable(),
  /** The image the release deploys. */
  image: z.string().nullable(),
  /** What ran before the release (the rollback target); null when the release had not read it yet. */
  before: LiveRevision.nullable(),
  /** What runs now; null when the target could not be read (see message). */
  live: LiveRevision.nullable(),
  journal: JournalMark,
  state: ObjectState,
  message: z.string(),
  /** Per Kubernetes object it wrote or meant to write, in the order of their intents. */
  resources: z.array(RecoveredResource),
});
export type RecoveredObject = z.infer<typeof RecoveredObject>;

export const InterruptedRelease = z.object({
  releaseId: z.string(),
  workspace: z.string(),
  /** The environment the release went up to. */
  target: z.string(),
  /** The environment it was working in when its process died (its last stage's), if any. */
  environment: z.string().nullable(),
  /** The last stage it started, e.g. `staging:waves`. */
  lastStage: z.string().nullable(),
  commit: z.string().nullable(),
  createdAt: z.string(),
  owner: RunOwner.nullable(),
  /** Why it counts as interrupted. */
  reason: z.string(),
  /** Steps with an intent and no result: effects that may or may not have happened. */
  /** `object`: the Kubernetes object of a per-object step (`Deployment shop/orders-api`). */
  openSteps: z.array(z.object({ kind: z.string(), target: z.string(), object: z.string().optional() })),
  objects: z.array(RecoveredObject),
});
export type InterruptedRelease = z.infer<typeof InterruptedRelease>;

const RecoverOne = z.object({ releaseId: z.string().min(1).max(200), dir: Dir.optional() });

export const RecoverResult = z.object({
  releaseId: z.string(),
  action: z.enum(['resume', 'rollback']),
  ok: z.boolean(),
  /** The release's record after the action. */
  report: ReleaseReport,
  /** Rollback: one entry per service, in the order they were restored. */
  rollbacks: z.array(RollbackEntry),
  /** Per object after the action. */
  objects: z.array(RecoveredObject),
  error: ErrorPayload.nullable(),
});
export type RecoverResult = z.infer<typeof RecoverResult>;

export const recoverCommands = {
  /** Every interrupted release with what each object it meant to change is now. */
  'recover.list': job(z.object({ dir: Dir.optional() }).strict(), z.object({ releases: z.array(InterruptedRelease) })),
  /** Continues an interrupted release from its first unfinished step with its recorded images. */
  'recover.resume': job(
    RecoverOne.extend({
      /** An environment still needing approval: approve up front (auto), wait for release.approve, or refuse (default). */
      approval: z.enum(['wait', 'auto', 'refuse']).optional(),
      by: z.string().max(200).optional(),
    }).strict(),
    RecoverResult,
  ),
  /** Rolls back every service the interrupted release changed where it was interrupted, in reverse wave order. */
  'recover.rollback': job(RecoverOne.strict(), RecoverResult),
} as const;

export const recoverEvents = {} as const;
