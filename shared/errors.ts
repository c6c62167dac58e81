// Typed errors that cross the contract: a code a program can branch on and a message a person can act on.
import { z } from 'zod';
import { ConvoyError, ERROR_CODES } from './convoy-error.js';

export { ConvoyError };

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorPayload = z.object({ code: ErrorCode, message: z.string() });
export type ErrorPayload = z.infer<typeof ErrorPayload>;

export function isErrorCode(value: unknown): value is ErrorCode {
  return ErrorCode.safeParse(value).success;
}

/**
 * zod issues as one line: `field.path: message; …` (at most five). `topLevel` names issues that have no
 * path (e.g. "(top level)"); without it they print their message alone.
 */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], topLevel?: string): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : topLevel;
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Turns anything thrown into a payload without leaking stack traces across the contract. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof ConvoyError) return err.toPayload();
  if (err && typeof err === 'object' && 'code' in err && isErrorCode((err as { code: unknown }).code)) {
    return { code: (err as { code: ErrorCode }).code, message: String((err as { message?: unknown }).message ?? '') };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: message || 'Unexpected error' };
}
