/** Chooses an upstream for each request by weight (smooth weighted round-robin, as nginx does). */

export interface Weighted {
  readonly weight: number;
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
 * Smooth weighted round-robin spreads picks evenly in time (weights 2:1 give a-b-a, not a-a-b), equal
 * weights reduce to plain round-robin, and weight 0 is never chosen. O(n) per pick; routes hold few upstreams.
 */
export function createUpstreamPicker<T extends Weighted>(items: readonly T[]): UpstreamPicker<T> {
  const slots: Slot<T>[] = items
    .filter((item) => item.weight > 0)
    .map((item) => ({ item, weight: item.weight, current: 0 }));

  function pick(excluded?: T): T | undefined {
    let total = 0;
    let best: Slot<T> | undefined;
    for (const slot of slots) {
      if (slot.item === excluded) continue;
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
