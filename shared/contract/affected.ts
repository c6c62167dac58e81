// `affected.*`: which projects a change affects, and why.
import { z } from 'zod';
import { AffectedSet } from '../domain.js';
import { Dir, GitRef, NxChoice, job, notBothUncommittedAndHead } from './define.js';

const RelFile = z
  .string()
  .min(1)
  .max(4096)
  .refine((file) => !file.startsWith('/') && !file.split(/[\\/]/).includes('..'), 'a path inside the workspace, relative to its root');

/**
 * The option pairs `nx show projects --affected` refuses as mutually exclusive (its yargs `conflicts`);
 * uncommitted with head is notBothUncommittedAndHead's (define.ts, shared with build.run).
 */
const NX_CONFLICTS: Array<[string, string, string]> = [
  ['uncommitted', 'base', '--uncommitted compares the working tree with HEAD, so it takes no base'],
  ['untracked', 'base', '--untracked takes the untracked files alone, so it takes no base'],
  ['untracked', 'head', '--untracked takes the untracked files alone, so it takes no head'],
  ['uncommitted', 'untracked', 'each names its own set of files'],
  ['files', 'base', '--files names the touched files itself, so it takes no base'],
  ['files', 'head', '--files names the touched files itself, so it takes no head'],
  ['files', 'uncommitted', 'each names its own set of files'],
  ['files', 'untracked', 'each names its own set of files'],
];

/**
 * Nx's argument rules for affected (the same in Nx 20 to 24): the conflicts above, and `--head` only
 * with `--base` (yargs `implies`). Refused here, at every transport, with what to drop.
 */
function refuseWhatNxRefuses(input: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const given = (key: string) => input[key] !== undefined && input[key] !== false;
  for (const [a, b, why] of NX_CONFLICTS) {
    if (given(a) && given(b)) {
      ctx.addIssue({ code: 'custom', path: [b], message: `${a} and ${b} cannot be combined (nx refuses them too: ${why}) — drop one of them` });
    }
  }
  if (given('head') && !given('base')) {
    ctx.addIssue({ code: 'custom', path: ['head'], message: 'head needs a base, as in nx (--head implies --base) — give base too' });
  }
}

export const affectedCommands = {
  'affected.compute': job(
    z
      .object({
        dir: Dir,
        base: GitRef.optional(),
        head: GitRef.optional(),
        uncommitted: z.boolean().optional(),
        /** Only untracked files count (nx --untracked). */
        untracked: z.boolean().optional(),
        /** Exactly these files count (nx --files), relative to the workspace root. */
        files: z.array(RelFile).min(1).max(10_000).optional(),
        /** Answer even when the graph has a dependency cycle (otherwise GRAPH_CYCLE). */
        allowCycles: z.boolean().optional(),
        /** Which nx reads the workspace (default: convoy.yaml's `nx`, else the workspace's own). */
        nx: NxChoice.optional(),
      })
      .strict()
      .superRefine(notBothUncommittedAndHead)
      .superRefine(refuseWhatNxRefuses),
    AffectedSet,
  ),
} as const;

export const affectedEvents = {} as const;
