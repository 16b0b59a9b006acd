/**
 * Consul's blocking queries: with `?index=N` (N > 0) a read waits while its result's index is ≤ N, until a write
 * touching one of its topics raises it, or until `wait` plus a jitter of up to wait/16 has passed; then it answers
 * what it reads (possibly unchanged, which clients allow). An index ahead of the catalog's (after a restore or a
 * reset elsewhere) answers at once with the lower index, which clients take as a reset.
 */
import type { Catalog, Indexed, WatchTopic } from '@slipway/core';
import type { CatalogRequest } from './catalog-route.js';

/** The reason a wait ends early: made once, as every abort would otherwise build an exception with its stack. */
const waitOver = new Error('blocking wait over');

export interface BlockingReadOptions {
  /** Random in [0, 1): the jitter's draw (tests pass a fixed one). */
  readonly random?: () => number;
  /** Called with +1 when a read starts waiting and -1 when it stops (the waiters gauge). */
  readonly onWaiting?: (delta: 1 | -1) => void;
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
  const startIndex = result.index;
  const random = options.random ?? Math.random;
  const waitMs = request.query.waitMs + Math.floor(random() * (request.query.waitMs / 16));
  // One signal for the wait: the deadline, or the client gone (its listener is left to go with the request).
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(waitOver), waitMs);
  timer.unref();
  if (request.signal.aborted) deadline.abort(waitOver);
  else request.signal.addEventListener('abort', () => deadline.abort(waitOver), { once: true });
  options.onWaiting?.(1);
  try {
    // A wake-up may be spurious for this read (a key beside it under one prefix topic): wait again until it changes.
    while (!deadline.signal.aborted && !request.signal.aborted) {
      const before = catalog.index();
      await catalog.waitFor(topics, before, deadline.signal);
      result = read();
      // Nothing written (a timeout, the client gone, the catalog closing): answer what there is. An index gone back
      // (a restore of older records, tombstones reaped) is answered at once too, as clients take it for a reset:
      // waiting for it to pass `asked` again kept a restored value from its watchers until their wait ran out.
      if (result.index > asked || result.index < startIndex || catalog.index() === before) break;
    }
    return result;
  } finally {
    options.onWaiting?.(-1);
    clearTimeout(timer);
  }
}
