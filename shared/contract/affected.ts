// `affected.*`: which projects a change affects, and why.
import { z } from 'zod';
import { AffectedSet } from '../domain.js';
import { Dir, GitRef, job, notBothUncommittedAndHead } from './define.js';

export const affectedCommands = {
  'affected.compute': job(
    z
      .object({
        dir: Dir,
        base: GitRef.optional(),
        head: GitRef.optional(),
        uncommitted: z.boolean().optional(),
        /** Answer even when the graph has a dependency cycle (otherwise GRAPH_CYCLE). */
        allowCycles: z.boolean().optional(),
      })
      .strict()
      .superRefine(notBothUncommittedAndHead),
    AffectedSet,
  ),
} as const;

export const affectedEvents = {} as const;
