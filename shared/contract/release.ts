// `release.*` (issue 12). The release plan: per environment, in promotion order, the waves the release deploys and
// the services it skips because they already run the same image. Made by electron/core/release/plan.ts,
// carried by `release.plan`, printed by `convoy plan`.
import { z } from 'zod';
import { ErrorPayload } from '../errors.js';
import { Dir, EnvName, GitRef, job } from './define.js';

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

export const releaseCommands = {
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

export const releaseEvents = {} as const;
