// Engine errors as ConvoyErrors: an engine that cannot be reached says where it was looked for and how
// to fix it; Docker's own "invalid reference format" is an image-name problem.
import { ConvoyError, type ErrorCode } from '../../../shared/errors.js';

const CONNECTION_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EACCES',
  'EPERM',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

export function statusCodeOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}


/** True when the error means the engine did not answer at all (no HTTP status). */
export function isUnreachable(err: unknown): boolean {
  if (statusCodeOf(err) !== undefined) return false;
  const code = errnoOf(err);
  return code !== undefined && CONNECTION_CODES.has(code);
}

export function dockerUnavailable(endpoint: string, err: unknown): ConvoyError {
  const code = errnoOf(err);
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'allow this user to use the socket (e.g. join the docker group) or set DOCKER_HOST to an engine you may use'
      : 'start Docker (Docker Desktop, or `sudo systemctl start docker`) or set DOCKER_HOST to a running engine';
  return new ConvoyError('DOCKER_UNAVAILABLE', `Docker Engine not reachable at ${endpoint} (${messageOf(err)}): ${hint}`);
}

/**
 * Maps an engine error: unreachable → DOCKER_UNAVAILABLE, invalid reference → IMAGE_NAME_INVALID,
 * anything else → `fallback` with `what` and the engine's message (redacted).
 */
export function engineError(
  err: unknown,
  ctx: { endpoint: string; what: string; fallback: ErrorCode; redact: (line: string) => string },
): ConvoyError {
  if (err instanceof ConvoyError) return err;
  if (isUnreachable(err)) return dockerUnavailable(ctx.endpoint, err);
  const message = ctx.redact(messageOf(err).trim());
  if (/invalid reference format/i.test(message)) return new ConvoyError('IMAGE_NAME_INVALID', `${ctx.what}: ${message}`);
  return new ConvoyError(ctx.fallback, `${ctx.what}: ${message}`);
}
