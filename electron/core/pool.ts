// Runs work items with at most `limit` in flight. Every item runs to its own end (one failure does not
// stop the others); after cancellation no new item starts: each one left gets `skipped`'s result
// instead. Results come back in input order.
export interface PoolOptions<T, R> {
  signal?: AbortSignal;
  /** The result of an item that was not started because the signal was aborted. */
  skipped: (item: T, index: number) => R;
}

export async function runPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>, options: PoolOptions<T, R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  async function lane(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      const item = items[index]!;
      results[index] = options.signal?.aborted ? options.skipped(item, index) : await work(item, index);
    }
  }
  await Promise.all(Array.from({ length: lanes }, () => lane()));
  return results;
}
