// An in-memory ImageBuilderPort: content hashes from the spec (plus whatever a test says the context
// holds), builds recorded and cached by hash the way the Docker adapter caches (same hash → `cached`,
// no build), scripted build failures and test results, and builds that wait until a test releases them
// (for cancellation and concurrency). Every log line passes the caller's redactor before `onLog` and
// before it is kept, as the port requires.
import { createHash } from 'node:crypto';
import { ConvoyError } from '../../shared/errors.js';
import type { BuildCallOptions, BuildResult, BuildSpec, ImageBuilderPort, TestResult, TestSpec } from '../../electron/core/ports/image-builder.js';

export interface ScriptedTest {
  exitCode?: number | null;
  timedOut?: boolean;
  logs?: string[];
}

interface Gate {
  started: Promise<void>;
  markStarted: () => void;
  released: Promise<void>;
  release: () => void;
}

export class FakeImageBuilder implements ImageBuilderPort {
  /** Every build call that was not a cache hit, in call order. */
  readonly builds: BuildSpec[] = [];
  /** Every test run, in call order. */
  readonly tests: TestSpec[] = [];
  /** The most builds that were in flight at once. */
  maxConcurrent = 0;
  private inFlight = 0;
  private readonly images = new Map<string, string>();
  private readonly contents = new Map<string, string>();
  private readonly buildFailures = new Map<string, ConvoyError>();
  private readonly buildLogs = new Map<string, string[]>();
  private readonly testResults = new Map<string, ScriptedTest>();
  private readonly gates = new Map<string, Gate>();

  /** What the context folder holds, as far as the hash is concerned; change it to make a rebuild. */
  setContent(contextDir: string, content: string): this {
    this.contents.set(contextDir, content);
    return this;
  }

  /** The next build of `project` fails with `error` (default BUILD_FAILED). */
  failBuild(project: string, error = new ConvoyError('BUILD_FAILED', `Build of ${project} failed at step RUN make: exit code 2`)): this {
    this.buildFailures.set(project, error);
    return this;
  }

  /** Lines the build of `project` prints (before redaction). */
  logBuild(project: string, lines: string[]): this {
    this.buildLogs.set(project, [...lines]);
    return this;
  }

  /** What the tests of `project` do; default: exit 0 printing `PASS <project>`. */
  scriptTest(project: string, result: ScriptedTest): this {
    this.testResults.set(project, result);
    return this;
  }

  /** The next build of `project` waits until `release()`; `started` resolves when it begins waiting. */
  hold(project: string): { started: Promise<void>; release: () => void } {
    let markStarted!: () => void;
    let release!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.gates.set(project, { started, markStarted, released, release });
    return { started, release };
  }

  async contentHash(spec: BuildSpec): Promise<string> {
    const args = Object.keys(spec.buildArgs)
      .sort()
      .map((key) => [key, spec.buildArgs[key]]);
    // Like the real hash, the folder's path is not an input: the same content elsewhere hashes the same.
    const inputs = [this.contents.get(spec.contextDir) ?? '', spec.dockerfile, args, spec.target ?? null];
    return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
  }

  async build(spec: BuildSpec, options: BuildCallOptions): Promise<BuildResult> {
    if (options.signal?.aborted) throw cancelled(spec.project);
    const contentHash = await this.contentHash(spec);
    const image = `${spec.repository}:${contentHash.slice(0, 16)}`;
    const existing = this.images.get(image);
    if (existing !== undefined) {
      return { project: spec.project, image, contentHash, imageId: existing, cached: true, durationMs: 0 };
    }
    this.builds.push(structuredClone(spec));
    this.inFlight++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inFlight);
    try {
      const gate = this.gates.get(spec.project);
      if (gate) {
        this.gates.delete(spec.project);
        gate.markStarted();
        await untilReleasedOrAborted(gate.released, options.signal, spec.project);
      }
      for (const line of this.buildLogs.get(spec.project) ?? [`Step 1/1 : FROM busybox:1.36.1`]) options.onLog?.(options.redact(line));
      const failure = this.buildFailures.get(spec.project);
      if (failure) {
        this.buildFailures.delete(spec.project);
        throw failure;
      }
      const imageId = `sha256:${createHash('sha256').update(image).digest('hex')}`;
      this.images.set(image, imageId);
      return { project: spec.project, image, contentHash, imageId, cached: false, durationMs: 1 };
    } finally {
      this.inFlight--;
    }
  }

  async runTest(spec: TestSpec, options: BuildCallOptions): Promise<TestResult> {
    if (options.signal?.aborted) throw new ConvoyError('CANCELLED', `Test run of ${spec.project} cancelled`);
    this.tests.push(structuredClone(spec));
    const script = this.testResults.get(spec.project) ?? {};
    const logs = (script.logs ?? [`PASS ${spec.project}`]).map((line) => options.redact(line));
    for (const line of logs) options.onLog?.(line);
    const timedOut = script.timedOut ?? false;
    return { project: spec.project, image: spec.image, exitCode: timedOut ? null : (script.exitCode ?? 0), timedOut, durationMs: 1, logs };
  }
}

function cancelled(project: string): ConvoyError {
  return new ConvoyError('CANCELLED', `Build of ${project} cancelled`);
}

function untilReleasedOrAborted(released: Promise<void>, signal: AbortSignal | undefined, project: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelled(project));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    void released.then(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
