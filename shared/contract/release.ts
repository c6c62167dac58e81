// `release.*` (issue 12). The release plan: per environment, in promotion order, the waves the release deploys and
// the services it skips because they already run the same image. Made by electron/core/release/plan.ts,
// carried by `release.plan`, printed by `convoy plan`.
import { z } from 'zod';
import { ErrorPayload } from '../errors.js';
import { ReleaseReport, RollbackEntry } from '../release-report.js';
import { Dir, EnvName, GitRef, job, query } from './define.js';

export const SkippedService = z.object({
  service: z.string(),
  /** The image already live (and the one the release would deploy). */
  image: z.string(),
  reason: z.string(),
});
export type SkippedService = z.infer<typeof SkippedService>;

export const EnvironmentPlan = z.object({
  name: z.string(),
  /** Services to deploy: every wave after all the deployables its services depend on; names sorted. */
  waves: z.array(z.array(z.string())),
  skipped: z.array(SkippedService),
});
export type EnvironmentPlan = z.infer<typeof EnvironmentPlan>;

export const ServiceOrder = z.object({
  service: z.string(),
  /** The planned services it deploys after (through the Nx graph or `deployAfter`), sorted. */
  after: z.array(z.string()),
});

export const ReleasePlan = z.object({
  /** The deployable services in the release, sorted. */
  services: z.array(z.string()),
  /** Selected projects Convoy does not deploy (libraries, projects without a Dockerfile or convoy block). */
  notDeployable: z.array(z.string()),
  order: z.array(ServiceOrder),
  environments: z.array(EnvironmentPlan),
});
export type ReleasePlan = z.infer<typeof ReleasePlan>;

/** One environment of a plan as `release.plan` answers it: the waves, plus the environment's settings. */
export const PlannedEnvironment = EnvironmentPlan.extend({
  kind: z.enum(['kubernetes', 'docker']),
  approvalRequired: z.boolean(),
  rollback: z.enum(['auto', 'manual']),
  /** Whether the target's status was read (skips are known only then) and why not. */
  live: z.object({ checked: z.boolean(), error: ErrorPayload.nullable() }),
});
export type PlannedEnvironment = z.infer<typeof PlannedEnvironment>;

export const ReleasePlanReport = ReleasePlan.extend({
  workspace: z.string(),
  /** The resolved base and head of the affected set; null when the projects were named. */
  base: z.string().nullable(),
  head: z.string().nullable(),
  /** Why each selected project is in the release (the affected set's explanation, or "named"). */
  reasons: z.array(z.object({ project: z.string(), explanation: z.string() })),
  /** The image each service would deploy (its content tag), when it could be computed. */
  images: z.record(z.string(), z.string()),
  environments: z.array(PlannedEnvironment),
});
export type ReleasePlanReport = z.infer<typeof ReleasePlanReport>;

const releasePlanCommands = {
  /**
   * The waves a release would deploy in each environment (up to `environment`, in promotion order, or
   * that one alone with `only`), and the services it would skip. Changes nothing.
   */
  'release.plan': job(
    z
      .object({
        dir: Dir,
        environment: EnvName.optional(),
        only: z.boolean().optional(),
        base: GitRef.optional(),
        head: GitRef.optional(),
        uncommitted: z.boolean().optional(),
        /** Plan exactly these projects instead of the affected set. */
        projects: z.array(z.string().min(1).max(256)).max(1000).optional(),
        /** Read each environment's status to find unchanged services (default true). */
        live: z.boolean().optional(),
      })
      .strict(),
    ReleasePlanReport,
  ),
} as const;

const ReleaseId = z.string().min(1).max(128);
const Person = z.string().min(1).max(200);

const Decision = z
  .object({
    releaseId: ReleaseId,
    /** The environment waiting; default: whichever one the release waits in. */
    environment: EnvName.optional(),
    by: Person.optional(),
    comment: z.string().max(2000).optional(),
  })
  .strict();

// The release runner (issue 12): running a release, the decisions a person makes while it runs, and
// undoing a finished one. The record they carry is shared/release-report.ts.
const releaseRunCommands = {
  /**
   * Runs a release up to `environment` (every earlier one in promotion order first, or that one alone
   * with `only`). Answers the final record: its `state` says whether it succeeded, was rolled back,
   * rejected or cancelled; refusals before it starts (a busy environment, an unknown one) are errors.
   */
  'release.start': job(
    z
      .object({
        dir: Dir,
        environment: EnvName,
        only: z.boolean().optional(),
        base: GitRef.optional(),
        head: GitRef.optional(),
        uncommitted: z.boolean().optional(),
        projects: z.array(z.string().min(1).max(256)).max(1000).optional(),
        /**
         * `wait` (default): an environment that needs approval waits for release.approve/reject;
         * `auto`: approved at once, recorded as `by` (the CLI's --yes); `refuse`: a release that would
         * need approval is refused before anything runs (APPROVAL_REQUIRED).
         */
        approval: z.enum(['wait', 'auto', 'refuse']).optional(),
        by: Person.optional(),
        /** Run every test, also those that passed before with the same image, command, environment and timeout. */
        rerunTests: z.boolean().optional(),
      })
      .strict(),
    ReleaseReport,
  ),
  'release.approve': query(Decision, z.object({ releaseId: z.string(), environment: z.string(), decision: z.literal('approved') })),
  'release.reject': query(Decision, z.object({ releaseId: z.string(), environment: z.string(), decision: z.literal('rejected') })),
  /**
   * Stops a running release at its next safe point; what it changed there is rolled back as on a failure.
   * For a release another process runs, the request goes through the store and that process stops within
   * about half a second; `cancelled` is false when the release is not running.
   */
  'release.cancel': query(z.object({ releaseId: ReleaseId }).strict(), z.object({ cancelled: z.boolean() })),
  /** Undoes a whole finished release in one environment: each service it changed, reverse wave order. */
  'release.rollback': job(
    z.object({ dir: Dir, releaseId: ReleaseId, environment: EnvName }).strict(),
    z.object({ releaseId: z.string(), environment: z.string(), ok: z.boolean(), rollbacks: z.array(RollbackEntry) }),
  ),
} as const;

/** What `release.diff` answers: the combined server-side diff one environment would see, in apply order. */
export const ReleaseDiffReport = z.object({
  workspace: z.string(),
  environment: z.string(),
  kind: z.enum(['kubernetes', 'docker']),
  base: z.string().nullable(),
  head: z.string().nullable(),
  commit: z.string().nullable(),
  /** The services that would deploy, by wave (apply order); already-current ones are in `skipped`. */
  waves: z.array(z.array(z.string())),
  skipped: z.array(SkippedService),
  /** The image each service of the release was built as (built first, as the release would). */
  images: z.array(z.object({ service: z.string(), image: z.string() })),
  /** Objects in apply order, with what would happen to each. */
  objects: z.array(z.object({ service: z.string(), object: z.string(), change: z.string() })),
  /** The combined diff text, redacted. */
  text: z.string(),
});
export type ReleaseDiffReport = z.infer<typeof ReleaseDiffReport>;

const releaseDiffCommands = {
  /**
   * The combined server-side diff a release would show in one environment: builds what it needs
   * (through the release's build stage), skips services already on their image, and diffs the rest in
   * wave order. Applies nothing.
   */
  'release.diff': job(
    z
      .object({
        dir: Dir,
        environment: EnvName,
        base: GitRef.optional(),
        head: GitRef.optional(),
        uncommitted: z.boolean().optional(),
        projects: z.array(z.string().min(1).max(256)).max(1000).optional(),
      })
      .strict(),
    ReleaseDiffReport,
  ),
} as const;

export const releaseCommands = { ...releasePlanCommands, ...releaseDiffCommands, ...releaseRunCommands } as const;

export const releaseEvents = {
  /** The release's record, each time it changes. */
  'release.updated': z.object({ releaseId: z.string(), jobId: z.string().nullable(), report: ReleaseReport }),
} as const;
