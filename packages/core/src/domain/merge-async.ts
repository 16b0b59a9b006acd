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
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const inFlight = new Set<number>();
  const settled = new SettledQueue<number, T>();
  const pull = (index: number): void => {
    const iterator = iterators[index];
    if (iterator === undefined) return;
    inFlight.add(index);
    settled.watch(index, iterator.next(), onSourceError);
  };
  iterators.forEach((_, index) => pull(index));
  try {
    while (inFlight.size > 0) {
      const { key: index, result } = await settled.next();
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

/**
 * Items of `sources`, each already in time order, merged into one time order: one head per source is held, the
 * earliest is given next (ties go to the earlier source, so sources without times come one after another). Ending the
 * merge early returns every source.
 */
export async function* mergeByTime<T>(
  sources: readonly AsyncIterable<T>[],
  timeOf: (item: T) => number,
): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const heads = new Map<number, T>();
  const advance = async (index: number): Promise<void> => {
    const result = await iterators[index]?.next();
    if (result === undefined || result.done === true) heads.delete(index);
    else heads.set(index, result.value);
  };
  try {
    await Promise.all(iterators.map((_, index) => advance(index)));
    while (heads.size > 0) {
      let earliest: { index: number; timeMs: number } | undefined;
      for (const [index, item] of heads) {
        const timeMs = timeOf(item);
        if (earliest === undefined || timeMs < earliest.timeMs) earliest = { index, timeMs };
      }
      if (earliest === undefined) return;
      const item = heads.get(earliest.index) as T;
      yield item;
      await advance(earliest.index);
    }
  } finally {
    for (const [index] of heads) await iterators[index]?.return?.();
  }
}

/**
 * Like `mergeAsync`, with sources that keep arriving: each item of `arrivals` is a source merged from then on, until
 * it ends. Ends when `arrivals` and every source have ended, or when the consumer stops.
 */
export async function* mergeArriving<T>(
  arrivals: AsyncIterable<AsyncIterable<T>>,
  onSourceError: (error: unknown) => void = () => undefined,
): AsyncGenerator<T> {
  const arrivalKey = -1;
  const iterators = new Map<number, AsyncIterator<T | AsyncIterable<T>>>();
  iterators.set(arrivalKey, arrivals[Symbol.asyncIterator]());
  const inFlight = new Set<number>();
  const settled = new SettledQueue<number, T | AsyncIterable<T>>();
  let nextKey = 0;
  const pull = (key: number): void => {
    const iterator = iterators.get(key);
    if (iterator === undefined) return;
    inFlight.add(key);
    settled.watch(key, iterator.next(), onSourceError);
  };
  pull(arrivalKey);
  try {
    while (inFlight.size > 0) {
      const { key, result } = await settled.next();
      inFlight.delete(key);
      if (result.done === true) {
        iterators.delete(key);
        continue;
      }
      if (key === arrivalKey) {
        const source = result.value as AsyncIterable<T>;
        const sourceKey = nextKey++;
        iterators.set(sourceKey, source[Symbol.asyncIterator]());
        pull(sourceKey);
      } else {
        yield result.value as T;
      }
      pull(key);
    }
  } finally {
    for (const key of inFlight.keys()) {
      const iterator = iterators.get(key);
      if (iterator?.return !== undefined) iterator.return().catch(onSourceError);
    }
  }
}

/**
 * The results of pending `next()` calls, in the order they settle. Each pending promise gets one reaction, once: a
 * merge that raced every pending promise on each item would add a reaction per item to a source that stays pending
 * (an instance with nothing to say, the lookup of arriving instances), which Promise.race never releases until that
 * source settles — memory growing with every line of the busy sources.
 */
class SettledQueue<K, V> {
  private readonly ready: { key: K; result: IteratorResult<V> }[] = [];
  private wake: (() => void) | undefined = undefined;

  watch(key: K, pending: Promise<IteratorResult<V>>, onError: (error: unknown) => void): void {
    pending.then(
      (result) => this.push(key, result),
      (error: unknown) => {
        onError(error);
        this.push(key, { done: true, value: undefined });
      },
    );
  }

  async next(): Promise<{ key: K; result: IteratorResult<V> }> {
    while (this.ready.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.ready.shift() as { key: K; result: IteratorResult<V> };
  }

  private push(key: K, result: IteratorResult<V>): void {
    this.ready.push({ key, result });
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
