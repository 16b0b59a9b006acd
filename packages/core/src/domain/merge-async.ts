/** Merges async iterables into one, pulling each source only as fast as the consumer takes items. */

/**
 * Items of all `sources` in the order they come. At most one item per source is in flight: a source is asked for its
 * next item only after its previous one was taken, so a consumer that stops taking holds every source where it is
 * (nothing queues up). An error of a source ends only that source; `onSourceError` hears of it. Ending the merge early
 * (break, return) returns every source.
 */
export async function* mergeAsync<T>(
  sources: readonly AsyncIterable<T>[],
  onSourceError: (error: unknown) => void = () => undefined,
): AsyncGenerator<T> {
  type Settled = { index: number; result: IteratorResult<T> };
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const inFlight = new Map<number, Promise<Settled>>();
  const pull = (index: number): void => {
    const iterator = iterators[index];
    if (iterator === undefined) return;
    inFlight.set(
      index,
      iterator.next().then(
        (result) => ({ index, result }),
        (error: unknown) => {
          onSourceError(error);
          return { index, result: { done: true, value: undefined } };
        },
      ),
    );
  };
  iterators.forEach((_, index) => pull(index));
  try {
    while (inFlight.size > 0) {
      const { index, result } = await Promise.race(inFlight.values());
      inFlight.delete(index);
      if (result.done === true) continue;
      yield result.value;
      pull(index);
    }
  } finally {
    // Sources still running are told to stop and their pending item is dropped. Not awaited: a source stops at its
    // next step (an async generator runs `return` once its pending `next` settles), which must not hold the consumer.
    for (const index of inFlight.keys()) {
      const iterator = iterators[index];
      if (iterator?.return !== undefined) iterator.return().catch(onSourceError);
    }
  }
}
