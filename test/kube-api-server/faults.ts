// Fault injection: request rules (status, delay, reset; per path and verb; N times then succeed),
// pod failures by image, and latency. The same rules are set in-process, over the control endpoint
// (POST /__faults) or with `--fault JSON` on the command line; README.md lists the names.

/**
 * What a pod (or its Deployment) does when one of its images matches a rule:
 * - ImagePullBackOff: containers wait with ImagePullBackOff, never start.
 * - CrashLoopBackOff: containers start, exit 1 and wait in CrashLoopBackOff; restartCount grows.
 * - NeverReady: containers run but the readiness probe never passes (no fatal reason to see).
 * - ProgressDeadlineExceeded: pods never ready, and the Deployment's Progressing condition turns
 *   ProgressDeadlineExceeded at once, as if its progressDeadlineSeconds had passed.
 */
export type ImageFailure = 'ImagePullBackOff' | 'CrashLoopBackOff' | 'NeverReady' | 'ProgressDeadlineExceeded';
export const IMAGE_FAILURES: readonly ImageFailure[] = ['ImagePullBackOff', 'CrashLoopBackOff', 'NeverReady', 'ProgressDeadlineExceeded'];
/** Which images fail: a substring, a RegExp, or a function of the image reference (in-process only). */
export type ImagePattern = RegExp | string | ((image: string) => boolean);

/** One request rule. The first rule that matches a request (and has `times` left) applies. */
export interface RequestFault {
  /** HTTP verb (GET, PATCH, POST, PUT, DELETE); absent: any. */
  method?: string;
  /** Regular expression tested against the URL path (a RegExp, or its source as a string); absent: any path. */
  path?: RegExp | string;
  /** Answer with this code and a Kubernetes Status body (reason and message as the real server words them). */
  status?: number;
  /** Overrides the Status message. */
  message?: string;
  /** Wait this long before answering (alone: a slow but successful request). */
  delayMs?: number;
  /** Destroy the connection without an answer (the client sees a reset). */
  reset?: boolean;
  /** Matching requests that fail; afterwards they succeed. Absent: every matching request. */
  times?: number;
}

/** The JSON body of POST /__faults and of `--fault` (path as a regular expression source). */
export interface FaultSpec {
  requests?: Array<Omit<RequestFault, 'path'> & { path?: string }>;
  images?: Array<{ pattern: string; failure: ImageFailure }>;
  latencyMs?: number;
}

export interface ErrorRule {
  status: number;
  count: number;
  method?: string;
  path?: RegExp;
}

export interface ResetRule {
  count: number;
  method?: string;
  path?: RegExp;
}

export interface Faults {
  /** Adds a request rule; rules are tried in the order added. */
  inject(rule: RequestFault): void;
  failImages(pattern: ImagePattern, failure: ImageFailure): void;
  /** Shorthands: `count` answers with `status`, or `count` resets. */
  errors(rule: ErrorRule): void;
  resets(rule: ResetRule): void;
  latency(ms: number): void;
  /** Applies a FaultSpec (what the control endpoint and the CLI take). */
  load(spec: FaultSpec): void;
  clear(): void;
}

/** What a request meets: nothing, or a delay followed by a Status answer, a reset or nothing. */
export interface RequestVerdict {
  delayMs: number;
  reset: boolean;
  status?: number;
  message?: string;
}

interface LiveRule extends Omit<RequestFault, 'path'> {
  path?: RegExp;
}

function asRegExp(path: RegExp | string | undefined): RegExp | undefined {
  if (path === undefined) return undefined;
  return typeof path === 'string' ? new RegExp(path) : new RegExp(path.source, path.flags.replace('g', ''));
}

function matches(rule: LiveRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path && !rule.path.test(path)) return false;
  return rule.times === undefined || rule.times > 0;
}

function checkSpec(spec: unknown): FaultSpec {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('a fault spec is a JSON object with requests, images and/or latencyMs');
  const { requests = [], images = [], latencyMs } = spec as FaultSpec;
  if (!Array.isArray(requests) || !Array.isArray(images)) throw new Error('requests and images must be arrays');
  for (const r of requests) {
    if (r.status !== undefined && (!Number.isInteger(r.status) || r.status < 400 || r.status > 599)) throw new Error(`status must be 400-599, got ${String(r.status)}`);
    if (r.status === undefined && !r.reset && r.delayMs === undefined) throw new Error('a request fault needs status, reset or delayMs');
  }
  for (const i of images) {
    if (!IMAGE_FAILURES.includes(i.failure)) throw new Error(`unknown image failure ${String(i.failure)} (one of ${IMAGE_FAILURES.join(', ')})`);
  }
  if (latencyMs !== undefined && (typeof latencyMs !== 'number' || latencyMs < 0)) throw new Error('latencyMs must be a number >= 0');
  return spec as FaultSpec;
}

export class FaultState implements Faults {
  private images: Array<{ pattern: ImagePattern; failure: ImageFailure }> = [];
  private rules: LiveRule[] = [];
  latencyMs = 0;

  inject(rule: RequestFault): void {
    this.rules.push({ ...rule, path: asRegExp(rule.path) });
  }

  failImages(pattern: ImagePattern, failure: ImageFailure): void {
    this.images.push({ pattern, failure });
  }

  errors(rule: ErrorRule): void {
    this.inject({ method: rule.method, path: rule.path, status: rule.status, times: rule.count });
  }

  resets(rule: ResetRule): void {
    this.inject({ method: rule.method, path: rule.path, reset: true, times: rule.count });
  }

  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  load(raw: FaultSpec): void {
    const spec = checkSpec(raw);
    for (const rule of spec.requests ?? []) this.inject(rule);
    for (const image of spec.images ?? []) this.failImages(new RegExp(image.pattern), image.failure);
    if (spec.latencyMs !== undefined) this.latency(spec.latencyMs);
  }

  clear(): void {
    this.images = [];
    this.rules = [];
    this.latencyMs = 0;
  }

  /** The rules as JSON (GET /__faults). */
  describe(): FaultSpec {
    return {
      requests: this.rules.filter((r) => r.times !== 0).map((r) => ({ ...r, path: r.path?.source })),
      images: this.images.map((i) => ({ pattern: typeof i.pattern === 'string' ? i.pattern : typeof i.pattern === 'function' ? '(function)' : i.pattern.source, failure: i.failure })),
      latencyMs: this.latencyMs,
    };
  }

  /**
   * The failure for an image: a string pattern matches as a substring, a RegExp by test(), a function
   * when it answers true (e.g. "the registry does not hold this digest", for the registry tests).
   */
  imageFailure(image: string): ImageFailure | undefined {
    for (const rule of this.images) {
      const { pattern } = rule;
      if (typeof pattern === 'function' ? pattern(image) : typeof pattern === 'string' ? image.includes(pattern) : ((pattern.lastIndex = 0), pattern.test(image))) {
        return rule.failure;
      }
    }
    return undefined;
  }

  /** Consumes one use of the first matching rule; undefined when the request goes through untouched. */
  take(method: string, path: string): RequestVerdict | undefined {
    const rule = this.rules.find((r) => matches(r, method, path));
    if (!rule) return undefined;
    if (rule.times !== undefined) rule.times--;
    return { delayMs: rule.delayMs ?? 0, reset: rule.reset === true, status: rule.status, message: rule.message };
  }
}
