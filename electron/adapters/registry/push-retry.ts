// How a failed push is tried again, on its own so the composition root can name it without loading
// the registry adapter (and dockerode) before a release pushes anything.
import type { PushRetry } from '../../core/ports/image-registry.js';

/** Four attempts, waiting 1s, 2s, 4s between them: enough for a registry restarting or a proxy hiccup. */
export function defaultPushRetry(): PushRetry {
  return {
    attempts: 4,
    delayMs: (attempt) => 1000 * 2 ** (attempt - 1),
    wait: (ms, signal) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}
