// Typed errors that cross the contract: a code a program can branch on and a message a person can act on.
import { z } from 'zod';

export const ErrorCode = z.enum([
  'UNKNOWN_COMMAND',
  'INVALID_INPUT',
  'MESSAGE_TOO_LARGE',
  'BAD_MESSAGE',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'WORKSPACE_ERROR',
  /** The workspace's nx is a version Convoy has no adapter for (the message names the ones it has). */
  'NX_UNSUPPORTED',
  'GIT_ERROR',
  'GRAPH_CYCLE',
  'DOCKER_UNAVAILABLE',
  'CONFIG_INVALID',
  // builds and tests (issue 4)
  'NO_DOCKERFILE',
  'BUILD_ARG_UNSET',
  'BUILD_FAILED',
  'IMAGE_NAME_INVALID',
  'TEST_FAILED',
  'TEST_TIMEOUT',
  // deploy targets (issue 5)
  'MANIFEST_INVALID',
  'KUBE_CONTEXT_MISSING',
  'KUBE_UNREACHABLE',
  'KUBE_AUTH',
  'KUBE_EXEC_PLUGIN',
  'KUBE_KIND_UNSUPPORTED',
  'KUBE_NOT_FOUND',
  'KUBE_CONFLICT',
  'KUBE_API_ERROR',
  'ROLLOUT_FAILED',
  'ROLLOUT_TIMEOUT',
  'ROLLBACK_REFUSED',
  'PORT_IN_USE',
  'HEALTH_FAILED',
  // another run holds the environment's lease (issue 9)
  'ENVIRONMENT_BUSY',
  'STORE_NEWER_SCHEMA',
  'STORE_CORRUPT',
  'STORE_LOCKED',
  'STORE_UNWRITABLE',
  /** The store's disk (or its size limit) is full: nothing more can be recorded. */
  'STORE_FULL',
  'STORE_ERROR',
  // release engine (issue 12)
  'DEPLOY_CYCLE',
  'GATE_FAILED',
  'ENVIRONMENT_BUSY',
  'APPROVAL_REQUIRED',
  'APPROVAL_REJECTED',
  'RELEASE_NOT_WAITING',
  /** A push to an environment's registry failed (the message names registry, repository and cause). */
  'IMAGE_PUSH_FAILED',
  'CANCELLED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorPayload = z.object({ code: ErrorCode, message: z.string() });
export type ErrorPayload = z.infer<typeof ErrorPayload>;

/** An error that knows its contract code; anything else crossing the boundary becomes INTERNAL. */
export class ConvoyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConvoyError';
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}

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
