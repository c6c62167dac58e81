// Fault injection: failing images, error answers, socket resets and latency.

export type ImageFailure = 'ImagePullBackOff' | 'CrashLoopBackOff';
/** Which images fail: a substring, a RegExp, or a function of the image reference. */
export type ImagePattern = RegExp | string | ((image: string) => boolean);

export interface ErrorRule {
  status: 500 | 502 | 503 | 429;
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
  failImages(pattern: ImagePattern, failure: ImageFailure): void;
  errors(rule: ErrorRule): void;
  resets(rule: ResetRule): void;
  latency(ms: number): void;
  clear(): void;
}

function matches(rule: { method?: string; path?: RegExp }, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path) {
    rule.path.lastIndex = 0;
    if (!rule.path.test(path)) return false;
  }
  return true;
}

export class FaultState implements Faults {
  private images: Array<{ pattern: ImagePattern; failure: ImageFailure }> = [];
  private errorRules: ErrorRule[] = [];
  private resetRules: ResetRule[] = [];
  latencyMs = 0;

  failImages(pattern: ImagePattern, failure: ImageFailure): void {
    this.images.push({ pattern, failure });
  }

  errors(rule: ErrorRule): void {
    this.errorRules.push({ ...rule });
  }

  resets(rule: ResetRule): void {
    this.resetRules.push({ ...rule });
  }

  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  clear(): void {
    this.images = [];
    this.errorRules = [];
    this.resetRules = [];
    this.latencyMs = 0;
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

  /** Consumes one matching reset rule; true when the socket should be destroyed. */
  takeReset(method: string, path: string): boolean {
    const rule = this.resetRules.find((r) => r.count > 0 && matches(r, method, path));
    if (!rule) return false;
    rule.count--;
    return true;
  }

  /** Consumes one matching error rule and returns its status code. */
  takeError(method: string, path: string): ErrorRule['status'] | undefined {
    const rule = this.errorRules.find((r) => r.count > 0 && matches(r, method, path));
    if (!rule) return undefined;
    rule.count--;
    return rule.status;
  }
}
