// Pushing built images to an environment's registry (issue 16). The adapter
// (electron/adapters/registry) pushes through the local Docker Engine with the credentials the Docker
// client uses, and asks the registry's HTTP API what it holds; tests use the real distribution
// registry or a fake of this port. Errors are ConvoyErrors IMAGE_PUSH_FAILED whose message names the
// registry, the repository and the cause; `transient` says whether trying again may help.

export interface LayerProgress {
  /** The layer's short ID as the engine reports it, or `manifest` for the final step. */
  layer: string;
  /** e.g. `Pushing`, `Pushed`, `Layer already exists`. */
  status: string;
  current: number | null;
  total: number | null;
}

export interface PushOptions {
  signal?: AbortSignal;
  onProgress?: (progress: LayerProgress) => void;
  /**
   * Journals the local tag the push makes first (`repository:tag` on the image, issue 13: an image tag
   * is a side effect of its own): called around exactly that tag, so its intent row precedes it and its
   * result row follows it.
   */
  tagged?: (reference: string, tag: () => Promise<void>) => Promise<void>;
}

export interface ImageRegistryPort {
  /**
   * Checks that the registry answers and accepts the credentials Convoy finds for it (none needed when
   * it allows anonymous pushes). Throws IMAGE_PUSH_FAILED naming the registry and what to do.
   */
  check(host: string): Promise<void>;
  /** Manifest digests this engine has recorded for the local image (from earlier pushes, any registry). */
  knownDigests(image: string): Promise<string[]>;
  /** Whether `repository` (`host[:port]/path`) holds a manifest with this digest (HEAD manifest). */
  hasManifest(repository: string, digest: string): Promise<boolean>;
  /** Tags the local `image` as `repository:tag` (through options.tagged), pushes it and answers the manifest digest the registry stored. */
  push(image: string, repository: string, tag: string, options?: PushOptions): Promise<{ digest: string }>;
}

/** How often and how long to wait before trying a push again; tests pass a `wait` that returns at once. */
export interface PushRetry {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The wait before attempt `attempt + 1`, after `attempt` failed. */
  delayMs(attempt: number): number;
  wait(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Whether an IMAGE_PUSH_FAILED error may pass on its own (a 5xx, a reset connection). */
export function isTransientPushError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { transient?: unknown }).transient === true;
}
