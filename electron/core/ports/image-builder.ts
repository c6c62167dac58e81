// What the build stage needs from a container engine: content-addressed image builds and test runs
// inside the built image. Implemented over dockerode in electron/adapters/docker/image-builder.ts.
//
// Every log line handed to `onLog` has already passed the redactor the caller gave; adapters never emit
// an unredacted line anywhere (events, store, errors).

export interface BuildSpec {
  project: string;
  /** Absolute path of the build context. */
  contextDir: string;
  /** Dockerfile path relative to contextDir. */
  dockerfile: string;
  /** Resolved build-arg values (variables already substituted). */
  buildArgs: Record<string, string>;
  /** Image repository without tag, e.g. `shop/orders-api`; the tag is the content hash. */
  repository: string;
  /** Build only up to this stage (e.g. a test stage). */
  target?: string;
  /** Labels added at build time (not part of the content hash): OCI revision, created, release id… */
  labels: Record<string, string>;
}

export interface BuildResult {
  project: string;
  /** `<repository>:<contentHash>`. */
  image: string;
  contentHash: string;
  imageId: string;
  /** True when an image for this content hash already existed and no build call was made. */
  cached: boolean;
  durationMs: number;
}

export interface TestSpec {
  project: string;
  image: string;
  command: string[];
  timeoutMs: number;
  env?: Record<string, string>;
}

export interface TestResult {
  project: string;
  image: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Redacted output, stdout and stderr interleaved, one entry per line. */
  logs: string[];
}

export interface BuildCallOptions {
  signal?: AbortSignal;
  /** One redacted log line at a time. */
  onLog?: (line: string) => void;
  /** Applied to every line before it goes anywhere. */
  redact: (line: string) => string;
  /**
   * The run the call belongs to: what the call creates in the engine (test containers, images) is
   * labelled with it and with this process as its owner (electron/core/run-owner.ts).
   */
  runId?: string;
  /**
   * Hears each intermediate image a build commits, as soon as it exists. They cannot carry labels, so
   * the run records them: a build that dies mid-way leaves them dangling, and the next process removes
   * them (electron/core/leftovers.ts).
   */
  onLayer?: (imageId: string) => void;
}

export interface ImageBuilderPort {
  /** Hash of the build inputs: context files after .dockerignore, the Dockerfile, build args, target. */
  contentHash(spec: BuildSpec): Promise<string>;
  build(spec: BuildSpec, options: BuildCallOptions): Promise<BuildResult>;
  /** Runs the test command in a fresh container from the image (no network) and removes it afterwards. */
  runTest(spec: TestSpec, options: BuildCallOptions): Promise<TestResult>;
}
