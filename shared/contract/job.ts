// `job.*`: the life of a long command — its id, its progress, its one result, and cancelling it.
// The dispatcher answers `job.cancel` itself; every job command reports through these events.
import { z } from 'zod';
import { ErrorPayload } from '../errors.js';
import { query } from './define.js';

export const jobCommands = {
  'job.cancel': query(z.object({ jobId: z.string().min(1).max(64) }).strict(), z.object({ cancelled: z.boolean() })),
} as const;

export const JobStarted = z.object({ jobId: z.string() });
export type JobStarted = z.infer<typeof JobStarted>;

export const jobEvents = {
  'job.progress': z.object({
    jobId: z.string(),
    command: z.string(),
    message: z.string(),
    /** 0..1 when the work knows how far along it is. */
    fraction: z.number().min(0).max(1).nullable(),
  }),
  'job.finished': z.discriminatedUnion('ok', [
    z.object({ jobId: z.string(), command: z.string(), ok: z.literal(true), output: z.unknown() }),
    z.object({ jobId: z.string(), command: z.string(), ok: z.literal(false), error: ErrorPayload }),
  ]),
} as const;
