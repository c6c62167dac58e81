// Fault injection: failing images, error answers, socket resets and latency.

export type ImageFailure = 'ImagePullBackOff' | 'CrashLoopBackOff';

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
  failImages(pattern: RegExp | string, failure: ImageFailure): void;
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
  private images: Array<{ pattern: RegExp | string; failure: ImageFailure }> = [];
  private errorRules: ErrorRule[] = [];
  private resetRules: ResetRule[] = [];
  latencyMs = 0;

  failImages(pattern: RegExp | string, failure: ImageFailure): void {
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

  /** The failure for an image: a string pattern matches as a substring, a RegExp by test(). */
  imageFailure(image: string): ImageFailure | undefined {
    for (const rule of this.images) {
      if (typeof rule.pattern === 'string' ? image.includes(rule.pattern) : (rule.pattern.lastIndex = 0, rule.pattern.test(image))) {
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
