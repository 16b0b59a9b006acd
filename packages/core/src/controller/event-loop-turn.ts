/**
 * A pass over every app of a large install is made of many small store reads, each synchronous under SQLite: without
 * a turn of the event loop now and then, one pass holds every HTTP request and stream back until it ends.
 */

/** App environments (or apps) a pass handles between two turns of the event loop. */
export const scopesPerTurn = 25;

/** Resolves after the I/O that waits (requests, timers) has had its turn. */
export function nextEventLoopTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
