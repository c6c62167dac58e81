// The release plan (issue 12): per environment, in promotion order, the waves the release deploys and
// the services it skips because they already run the same image. Made by electron/core/release/plan.ts,
// carried by `release.plan`, printed by `convoy plan`.
import { z } from 'zod';

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
