/**
 * The requests one router process holds for wakeable routes (scale to zero) while they have no upstream: a queue
 * per route, bounded in count and bytes, whose first request asks slipwayd for an instance (`onWake`); each table
 * update lets them try again, oldest first, so they reach the new instance in the order they came.
 */
import type { WakeRequest } from '@slipway/contract';
import { countWake, type ColdCounters } from './cold-start-metrics.js';
import type { RouteTarget } from './route-index.js';

/** A request held for an instance. */
export interface HeldExchange {
  /** Tries the request again on the current table: sent to an upstream, answered by the router, or held again. */
  resumeHold(): 'forwarded' | 'answered' | 'held';
}

interface RouteHold {
  queue: HeldExchange[];
  bytes: number;
  /** `performance.now()` when the first request of this wake was held. */
  readonly sinceMs: number;
  readonly counters: ColdCounters;
  /** Requests held again while the queue is being resumed belong to the same wake. */
  isResuming: boolean;
}

export interface ColdStartHolds {
  /** Holds `exchange`, `bytes` received so far; false when the route's queue is full (count or bytes). */
  hold(exchange: HeldExchange, target: RouteTarget, bytes: number): boolean;
  /** More bytes of a held request; false when they exceed the route's bound (the request is then refused). */
  addBytes(target: RouteTarget, bytes: number): boolean;
  /** Takes a held request out (it timed out, was refused, or its client left), with the bytes it held. */
  drop(exchange: HeldExchange, target: RouteTarget, bytes: number): void;
  /** After a table update: each held request tries again, oldest first. */
  resumeAll(): void;
  /** Requests held now, over every route. */
  readonly count: number;
}

export function createColdStartHolds(onWake: (request: WakeRequest) => void): ColdStartHolds {
  const holds = new Map<string, RouteHold>();
  let count = 0;

  const keyOf = (target: RouteTarget): string => `${target.route.host} ${target.route.pathPrefix}`;

  function hold(exchange: HeldExchange, target: RouteTarget, bytes: number): boolean {
    const bounds = target.coldStart;
    if (bounds === undefined) return false;
    const key = keyOf(target);
    let entry = holds.get(key);
    if (
      entry !== undefined &&
      (entry.queue.length >= bounds.hold.maxHeldRequests || entry.bytes + bytes > bounds.hold.maxHeldBytes)
    ) {
      bounds.counters.refused += 1;
      return false;
    }
    if (bytes > bounds.hold.maxHeldBytes) {
      bounds.counters.refused += 1;
      return false;
    }
    if (entry === undefined) {
      entry = { queue: [], bytes: 0, sinceMs: performance.now(), counters: bounds.counters, isResuming: false };
      holds.set(key, entry);
    }
    if (entry.queue.length === 0 && !entry.isResuming) {
      bounds.counters.wakes += 1;
      const { app, environment, process } = target.route;
      onWake({ app, environment, process });
    }
    entry.queue.push(exchange);
    entry.bytes += bytes;
    bounds.counters.holding += 1;
    count += 1;
    return true;
  }

  function addBytes(target: RouteTarget, bytes: number): boolean {
    const entry = holds.get(keyOf(target));
    if (entry === undefined || target.coldStart === undefined) return false;
    if (entry.bytes + bytes > target.coldStart.hold.maxHeldBytes) {
      entry.counters.refused += 1;
      return false;
    }
    entry.bytes += bytes;
    return true;
  }

  function drop(exchange: HeldExchange, target: RouteTarget, bytes: number): void {
    const key = keyOf(target);
    const entry = holds.get(key);
    if (entry === undefined) return;
    const at = entry.queue.indexOf(exchange);
    if (at === -1) return;
    entry.queue.splice(at, 1);
    entry.bytes -= bytes;
    entry.counters.holding -= 1;
    count -= 1;
    if (entry.queue.length === 0 && !entry.isResuming) holds.delete(key);
  }

  function resumeAll(): void {
    for (const [key, entry] of [...holds]) {
      const queue = entry.queue;
      entry.queue = [];
      entry.bytes = 0;
      entry.counters.holding -= queue.length;
      count -= queue.length;
      entry.isResuming = true;
      let forwarded = 0;
      for (const exchange of queue) if (exchange.resumeHold() === 'forwarded') forwarded += 1;
      entry.isResuming = false;
      if (entry.queue.length > 0) continue;
      holds.delete(key);
      if (forwarded > 0) countWake(entry.counters, Math.round((performance.now() - entry.sinceMs) * 1_000));
    }
  }

  return {
    hold,
    addBytes,
    drop,
    resumeAll,
    get count() {
      return count;
    },
  };
}
