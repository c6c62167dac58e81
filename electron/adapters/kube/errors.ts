// Turning what the Kubernetes client throws into ConvoyErrors a person can act on. Pure: takes the
// thrown value and the call's context (environment, context, server, namespace, object).
import { ConvoyError } from '../../../shared/errors.js';

export interface CallContext {
  environment: string;
  context: string;
  server: string;
  namespace: string;
  /** `Deployment shop/orders-api`, `discovery apps/v1` … */
  object: string;
}

/** The parts of client-node's ApiException (and of node-fetch's FetchError) we read. */
interface ThrownShape {
  code?: unknown;
  body?: unknown;
  headers?: unknown;
  message?: unknown;
  errno?: unknown;
  syscall?: unknown;
  path?: unknown;
  spawnargs?: unknown;
}

export interface KubeStatus {
  code?: number;
  reason?: string;
  message?: string;
  details?: { causes?: Array<{ type?: string; message?: string; field?: string }> };
}

export interface FieldConflict {
  field: string;
  manager: string;
}

/** The HTTP status of a client-node ApiException, or null for anything else. */
export function httpStatusOf(err: unknown): number | null {
  if (!err || typeof err !== 'object') return null;
  const code = (err as ThrownShape).code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : null;
}

/** A system error code (ECONNREFUSED, ENOENT …) anywhere on the error or its causes. */
export function systemCodeOf(err: unknown): string | null {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const shape = current as ThrownShape;
    if (typeof shape.code === 'string' && /^E[A-Z]+$/.test(shape.code)) return shape.code;
    if (typeof shape.errno === 'string' && /^E[A-Z]+$/.test(shape.errno)) return shape.errno;
    current = (current as { cause?: unknown }).cause;
  }
  const message = err instanceof Error ? err.message : '';
  if (/socket hang up/i.test(message)) return 'ECONNRESET';
  const match = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE)\b/.exec(message);
  return match?.[1] ?? null;
}

/** The Kubernetes Status object in an ApiException body (a string or already parsed). */
export function statusOf(err: unknown): KubeStatus | null {
  if (!err || typeof err !== 'object') return null;
  let body = (err as ThrownShape).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return { message: String(body) };
    }
  }
  return body && typeof body === 'object' ? (body as KubeStatus) : null;
}

/** Header value from the ApiException headers map (case-insensitive). */
export function headerOf(err: unknown, name: string): string | null {
  const headers = err && typeof err === 'object' ? (err as ThrownShape).headers : undefined;
  if (!headers || typeof headers !== 'object') return null;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name.toLowerCase()) return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return null;
}

/** Server-side apply conflicts from a 409 Status: each field with the manager that owns it. */
export function parseConflicts(status: KubeStatus | null): FieldConflict[] {
  const causes = status?.details?.causes ?? [];
  const conflicts = causes
    .filter((c) => c.type === 'FieldManagerConflict' || (c.field && /conflict with/i.test(c.message ?? '')))
    .map((c) => ({ field: c.field ?? '?', manager: /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? 'another manager' }));
  if (conflicts.length > 0) return conflicts;
  // Older servers only put it in the message: `conflict with "mgr" using apps/v1: .spec.replicas`
  const out: FieldConflict[] = [];
  const re = /conflict with "([^"]+)"(?: using [^:]+)?: ([^\n,]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(status?.message ?? ''))) out.push({ manager: m[1] ?? '?', field: (m[2] ?? '?').trim() });
  return out;
}

/** The namespace a 404 says is missing (`namespaces "x" not found`), or null for any other 404. */
export function missingNamespace(status: KubeStatus | null): string | null {
  const match = /^namespaces "([^"]+)" not found/.exec(status?.message ?? '');
  return match?.[1] ?? null;
}

/**
 * The error of a call that was retried and still failed (or not retried because repeating it is not
 * safe), saying so: the same code, the message with how many attempts were made.
 */
export function afterAttempts(error: ConvoyError, attempts: number, retried: boolean): ConvoyError {
  if (error.code === 'CANCELLED') return error;
  const note = retried ? `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}` : 'not retried: repeating this call is not safe';
  return new ConvoyError(error.code, `${error.message} (${note})`);
}

function where(ctx: CallContext): string {
  return `${ctx.object} (context ${ctx.context}, namespace ${ctx.namespace}, environment ${ctx.environment})`;
}

/** Maps anything a Kubernetes call threw to a ConvoyError naming the context, namespace and object. */
export function toKubeError(err: unknown, ctx: CallContext): ConvoyError {
  if (err instanceof ConvoyError) return err;
  const http = httpStatusOf(err);
  if (http !== null) {
    const status = statusOf(err);
    const detail = status?.message ?? `HTTP ${http}`;
    if (http === 401 || http === 403) {
      const hint =
        http === 401
          ? 'the credentials were rejected — log in again or refresh the token'
          : `the user of context ${ctx.context} lacks permission — grant it (RBAC) or use a context that has it`;
      return new ConvoyError('KUBE_AUTH', `Kubernetes refused ${where(ctx)}: ${hint} (${http}: ${detail})`);
    }
    if (http === 404) {
      const missing = missingNamespace(status);
      if (missing !== null) {
        return new ConvoyError(
          'KUBE_NOT_FOUND',
          `Namespace ${missing} does not exist, so ${where(ctx)} cannot be written: create the namespace, ` +
            `or set createNamespace: true on environment ${ctx.environment}'s target in convoy.yaml (${detail})`,
        );
      }
      return new ConvoyError('KUBE_NOT_FOUND', `Not found: ${where(ctx)}: ${detail}`);
    }
    if (http === 409) {
      const conflicts = parseConflicts(status);
      if (conflicts.length > 0) return conflictError(conflicts, ctx);
      return new ConvoyError('KUBE_CONFLICT', `Conflict on ${where(ctx)}: ${detail}`);
    }
    return new ConvoyError('KUBE_API_ERROR', `Kubernetes API error on ${where(ctx)}: ${http} ${status?.reason ?? ''} ${detail}`.replace(/\s+/g, ' ').trim());
  }
  const sys = systemCodeOf(err);
  const shape = (err && typeof err === 'object' ? err : {}) as ThrownShape;
  if (sys === 'ENOENT' && (typeof shape.syscall === 'string' ? shape.syscall.startsWith('spawn') : /spawn/.test(String(shape.message)))) {
    const command = typeof shape.path === 'string' ? shape.path : String(shape.syscall ?? '').replace(/^spawn\s*/, '') || 'the exec plugin';
    return new ConvoyError(
      'KUBE_EXEC_PLUGIN',
      `The kubeconfig of context ${ctx.context} runs the exec credential plugin "${command}", which was not found. ` +
        `A GUI app may not have your login shell's PATH: put the plugin's absolute path in the kubeconfig's users[].user.exec.command, ` +
        `or start Convoy from a shell where "${command}" works.`,
    );
  }
  if (sys && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE'].includes(sys)) {
    return new ConvoyError(
      'KUBE_UNREACHABLE',
      `Cannot reach the Kubernetes API server ${ctx.server} of context ${ctx.context} (${sys}) while reading/writing ${ctx.object} — is the cluster running and the context right?`,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConvoyError('KUBE_API_ERROR', `Kubernetes call failed for ${where(ctx)}: ${message}`);
}

export function conflictError(conflicts: FieldConflict[], ctx: CallContext): ConvoyError {
  const list = conflicts.map((c) => `${c.field} (owned by "${c.manager}")`).join(', ');
  return new ConvoyError(
    'KUBE_CONFLICT',
    `Server-side apply of ${where(ctx)} conflicts with another field manager: ${list}. ` +
      `Apply again with force to take these fields over, or change the manifest.`,
  );
}
