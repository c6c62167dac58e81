// Retries for idempotent Kubernetes calls (GET, LIST and server-side apply): exponential backoff with
// jitter, bounded, honouring Retry-After on 429. Non-idempotent calls are never retried.
import { ConvoyError } from '../../../shared/errors.js';
import { abortable } from '../../core/abort.js';
import { headerOf, httpStatusOf, systemCodeOf } from './errors.js';

export interface RetryPolicy {
  /** Total attempts, including the first. */
  attempts: number;
  baseDelayMs: number;
  /** Upper bound of one delay (also bounds Retry-After). */
  maxDelayMs?: number;
  /**
   * An attempt with no answer after this long counts as failed (ETIMEDOUT): a cluster behind a
   * dropped VPN or a black-holed address would otherwise hang the step until the OS gives up.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000, requestTimeoutMs: 30_000 };

/** Thrown when an attempt gets no answer in time; mapped to KUBE_UNREACHABLE like a refused connection. */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${Math.round(timeoutMs / 1000)} s (ETIMEDOUT)`);
  }
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (!timeoutMs || timeoutMs <= 0) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      work.catch(() => {});
      reject(new RequestTimeoutError(timeoutMs));
    }, timeoutMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export interface RetryDeps {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
  signal?: AbortSignal;
}

/** Why an error is worth retrying, or null when it is not (4xx, auth, programming errors …). */
export function retryReason(err: unknown): string | null {
  const http = httpStatusOf(err);
  if (http !== null) {
    if (http === 429) return 'HTTP 429 Too Many Requests';
    if (http >= 500 && http <= 599) return `HTTP ${http}`;
    return null;
  }
  const sys = systemCodeOf(err);
  if (sys === 'ECONNRESET' || sys === 'EPIPE') return sys === 'ECONNRESET' ? 'connection reset' : 'broken pipe';
  if (err instanceof RequestTimeoutError) return `no answer within ${err.timeoutMs} ms`;
  return null;
}

/** Seconds or an HTTP date in Retry-After, as milliseconds from now. */
export function retryAfterMs(err: unknown, now = Date.now()): number | null {
  const value = headerOf(err, 'retry-after');
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Delay before retry number `attempt` (1 = the first retry): full jitter on base·2^(n-1), bounded. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs ?? 5_000;
  const exp = Math.min(cap, policy.baseDelayMs * 2 ** (attempt - 1));
  // half fixed, half random: never zero, never above the bound
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function delayFor(policy: RetryPolicy, attempt: number, err: unknown, random?: () => number): number {
  const cap = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs ?? 5_000;
  const after = httpStatusOf(err) === 429 ? retryAfterMs(err) : null;
  if (after !== null) return Math.min(cap, after);
  return backoffDelay(policy, attempt, random);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ConvoyError('CANCELLED', 'Cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ConvoyError('CANCELLED', 'Cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `call`; when `idempotent`, retries transient failures per the policy. The last error is rethrown as is. */
export async function withRetry<T>(call: () => Promise<T>, idempotent: boolean, policy: RetryPolicy, deps: RetryDeps = {}): Promise<T> {
  const wait = deps.sleep ?? sleep;
  const attempts = idempotent ? Math.max(1, policy.attempts) : 1;
  for (let attempt = 1; ; attempt++) {
    if (deps.signal?.aborted) throw new ConvoyError('CANCELLED', 'Cancelled');
    try {
      // a cancelled job stops waiting at once; the request itself may still finish on the server
      return await abortable(withTimeout(call(), policy.requestTimeoutMs ?? DEFAULT_RETRY.requestTimeoutMs), deps.signal, 'The Kubernetes call');
    } catch (err) {
      const reason = retryReason(err);
      if (reason === null || attempt >= attempts) throw err;
      const delay = delayFor(policy, attempt, err, deps.random);
      deps.onRetry?.(attempt, delay, reason);
      await wait(delay, deps.signal);
    }
  }
}
