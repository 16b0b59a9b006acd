/**
 * Chooses an upstream for each request: the fewest requests in flight per unit of weight, ties broken by smooth
 * weighted round-robin (as nginx's `least_conn`); ejected upstreams are skipped unless nothing else is left.
 */
export interface UpstreamLoad {
  /** Requests in flight to the upstream, over every route that lists it. */
  readonly inFlight: number;
  readonly isRetired: boolean;
  /** `Date.now()` until which passive health keeps it out; 0 when it is in. */
  readonly ejectedUntilMs: number;
}

export interface Weighted {
  readonly weight: number;
  readonly slot: UpstreamLoad;
}

export interface UpstreamPicker<T extends Weighted> {
  /** How many candidates can be chosen (weight above 0). */
  readonly size: number;
  /** The next candidate, skipping `excluded`; `undefined` when none is left. */
  pick(excluded?: T): T | undefined;
}

interface Slot<T> {
  readonly item: T;
  readonly weight: number;
  current: number;
}

/**
 * Under no load (or equal load per weight) this is smooth weighted round-robin: weights 2:1 give a-b-a, equal
 * weights plain round-robin, and weight 0 is never chosen. Under load, a slow upstream accumulates requests in
 * flight and is passed over until the others catch up. Never ejecting the last upstream: when every candidate is
 * ejected, ejection is ignored (a maybe-bad answer beats a certain 503). O(n) per pick; routes hold few upstreams.
 */
export function createUpstreamPicker<T extends Weighted>(items: readonly T[]): UpstreamPicker<T> {
  const slots: Slot<T>[] = items
    .filter((item) => item.weight > 0)
    .map((item) => ({ item, weight: item.weight, current: 0 }));
  const ties: Slot<T>[] = [];

  function collectLeastLoaded(excluded: T | undefined, isEjectionHonoured: boolean, nowMs: number): void {
    ties.length = 0;
    let least = Infinity;
    for (const slot of slots) {
      const load = slot.item.slot;
      if (slot.item === excluded || load.isRetired) continue;
      if (isEjectionHonoured && load.ejectedUntilMs > nowMs) continue;
      const score = load.inFlight / slot.weight;
      if (score < least) {
        least = score;
        ties.length = 0;
      }
      if (score === least) ties.push(slot);
    }
  }

  function pick(excluded?: T): T | undefined {
    let nowMs = 0;
    for (const slot of slots) {
      if (slot.item.slot.ejectedUntilMs !== 0) {
        nowMs = Date.now();
        break;
      }
    }
    collectLeastLoaded(excluded, true, nowMs);
    if (ties.length === 0 && nowMs !== 0) collectLeastLoaded(excluded, false, nowMs);
    if (ties.length === 0) return undefined;
    if (ties.length === 1) return ties[0]?.item;
    let total = 0;
    let best: Slot<T> | undefined;
    for (const slot of ties) {
      slot.current += slot.weight;
      total += slot.weight;
      if (best === undefined || slot.current > best.current) best = slot;
    }
    if (best === undefined) return undefined;
    best.current -= total;
    return best.item;
  }

  return { size: slots.length, pick };
}
