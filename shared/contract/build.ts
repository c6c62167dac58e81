// `build.*`: build and test the affected (or named) projects, outside a release.
import { z } from 'zod';
import { BuildReport } from '../domain.js';
import { Dir, GitRef, job, notBothUncommittedAndHead } from './define.js';

export const buildCommands = {
  'build.run': job(
    z
      .object({
        dir: Dir,
        /** Build exactly these projects; default: the affected projects that have something to build. */
        projects: z.array(z.string().min(1).max(256)).max(1000).optional(),
        base: GitRef.optional(),
        head: GitRef.optional(),
        uncommitted: z.boolean().optional(),
        /** Parallel builds; default: convoy.yaml's build.concurrency, else the CPU count. */
        concurrency: z.number().int().min(1).max(64).optional(),
        /** Run every test, also those that passed before with the same image, command, environment and timeout. */
        rerunTests: z.boolean().optional(),
      })
      .strict()
      .superRefine(notBothUncommittedAndHead),
    BuildReport,
  ),
} as const;

export const buildEvents = {
  /** One redacted line of a build or test log. */
  'build.log': z.object({
    runId: z.string(),
    /** The job that runs the build (null outside a job), so a client can follow its own run. */
    jobId: z.string().nullable(),
    project: z.string(),
    phase: z.enum(['build', 'test']),
    line: z.string(),
  }),
} as const;
