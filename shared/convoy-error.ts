// The contract's error codes and ConvoyError without the schemas, so code that only throws or
// recognises a ConvoyError (the CLI's start: --help, --version, argument checks) does not load zod.
// shared/errors.ts builds the contract's schemas from the same list and re-exports all of this.

export const ERROR_CODES = [
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
  // crash recovery (issue 13): resume would need images the release no longer has, from another commit
  'RESUME_REFUSED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error that knows its contract code; anything else crossing the boundary becomes INTERNAL. */
export class ConvoyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConvoyError';
  }

  toPayload(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
