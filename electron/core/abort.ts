// Stops waiting for work when its job is cancelled. The work itself may run on (a graph being
// built still lands in the cache); the caller gets CANCELLED at once.
import { ConvoyError } from '../../shared/errors.js';

export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  const cancelled = () => new ConvoyError('CANCELLED', `${what} was cancelled`);
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
