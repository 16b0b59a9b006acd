/**
 * Consul's blocking queries: with `?index=N` (N > 0) a read waits while its result's index is ≤ N, until a write
 * touching one of its topics raises it, or until `wait` plus a jitter of up to wait/16 has passed; then it answers
 * what it reads (possibly unchanged, which clients allow). An index ahead of the catalog's (after a restore or a
 * reset elsewhere) answers at once with the lower index, which clients take as a reset.
 */
import type { Catalog, Indexed, WatchTopic } from '@slipway/core';
import type { CatalogRequest } from './catalog-route.js';

export interface BlockingReadOptions {
  /** Random in [0, 1): the jitter's draw (tests pass a fixed one). */
  readonly random?: () => number;
  /** Called with +1 when a read starts waiting and -1 when it stops (the waiters gauge). */
  readonly onWaiting?: (delta: 1 | -1) => void;
}

/** Waits until one of the topics is touched past `afterIndex`, or the signal aborts; never rejects. */
async function waitForAny(
  catalog: Catalog,
  topics: readonly WatchTopic[],
  afterIndex: number,
  signal: AbortSignal,
): Promise<void> {
  const done = new AbortController();
  const stop = (): void => done.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.race(topics.map((topic) => catalog.waitFor(topic, afterIndex, done.signal)));
  } finally {
    signal.removeEventListener('abort', stop);
    done.abort();
  }
}

/** Answers `read()` at once, or after the blocking wait the request asks for. */
export async function blockingRead<T>(
  catalog: Catalog,
  request: CatalogRequest,
  topics: readonly WatchTopic[],
  read: () => Indexed<T>,
  options: BlockingReadOptions = {},
): Promise<Indexed<T>> {
  const asked = request.query.index;
  let result = read();
  if (asked === 0 || result.index > asked || asked > catalog.index()) return result;
  const random = options.random ?? Math.random;
  const waitMs = request.query.waitMs + Math.floor(random() * (request.query.waitMs / 16));
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), waitMs);
  timer.unref();
  const onClientGone = (): void => deadline.abort();
  request.signal.addEventListener('abort', onClientGone, { once: true });
  options.onWaiting?.(1);
  try {
    // A wake-up may be spurious for this read (a key beside it under one prefix topic): wait again until it changes.
    while (!deadline.signal.aborted && !request.signal.aborted) {
      const before = catalog.index();
      await waitForAny(catalog, topics, before, deadline.signal);
      result = read();
      // Nothing written (a timeout, the client gone, the catalog closing): answer what there is.
      if (result.index > asked || catalog.index() === before) break;
    }
    return result;
  } finally {
    options.onWaiting?.(-1);
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onClientGone);
  }
}
