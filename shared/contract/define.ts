// The building blocks every feature's contract module uses: how a command is declared (query or job)
// and the input fields several features share, so one rule (a git ref, a directory) is written once.
import { z } from 'zod';

/** A query answers directly; a job answers `{ jobId }` at once and reports through job events. */
export type Kind = 'query' | 'job';

export function query<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { kind: 'query' as const satisfies Kind, input, output };
}

export function job<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { kind: 'job' as const satisfies Kind, input, output };
}

export const GitRef = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\s\x00-\x1f\x7f]+$/, 'a git revision has no spaces or control characters')
  .refine((ref) => !ref.startsWith('-'), 'a git revision may not start with "-"');

export const Dir = z.string().min(1).max(4096);
export const EnvName = z.string().min(1).max(64);
export const ServiceName = z.string().min(1).max(256);

/** Which nx reads a workspace: its own installed one, or Convoy's bundled one. */
export const NxChoice = z.enum(['workspace', 'bundled']);

/** `uncommitted` compares the working tree with HEAD, so a `head` would be silently ignored: refuse both. */
export function notBothUncommittedAndHead(v: { head?: string; uncommitted?: boolean }, ctx: z.RefinementCtx): void {
  if (v.uncommitted === true && v.head !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['uncommitted'], message: 'uncommitted (the working tree against HEAD) cannot be combined with head; drop one of them' });
  }
}
