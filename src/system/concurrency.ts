/**
 * Calls `fn` on every item, at most `limit` at once, starting them in the items' order (an async
 * iterable is pulled one item per free slot, so a manifest is read no faster than it is used).
 * Once `signal` is aborted or a call has thrown, no further item starts; the calls already running
 * finish, and then the first error is thrown. Results, where a caller wants them, go through `fn`
 * (it gets each item's index). The caller owns the iterator: an async generator is not closed here.
 */
export async function forEachLimit<T>(items: Iterable<T> | AsyncIterable<T>, options: { limit: number; signal?: AbortSignal }, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  const workers = Array.isArray(items) ? Math.min(options.limit, items.length) : options.limit;
  let index = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (!options.signal?.aborted && failed === undefined) {
      // Taken before the await: an async generator answers its next() calls in the order made.
      const position = index++;
      const next = await iterator.next();
      if (next.done || failed !== undefined) return;
      try {
        await fn(next.value, position);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  if (failed !== undefined) throw failed.error;
}
