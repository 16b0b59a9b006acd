import { describe, expect, it } from 'vitest';
import { createUpstreamPicker } from './upstream-picker.js';

interface Item {
  readonly name: string;
  readonly weight: number;
  readonly slot: { inFlight: number; isRetired: boolean; ejectedUntilMs: number };
}

const item = (name: string, weight = 1): Item => ({
  name,
  weight,
  slot: { inFlight: 0, isRetired: false, ejectedUntilMs: 0 },
});

const countPicks = (weights: number[], picks: number): number[] => {
  const items = weights.map((weight, index) => item(String(index), weight));
  const picker = createUpstreamPicker(items);
  const counts = weights.map(() => 0);
  for (let i = 0; i < picks; i += 1) {
    const picked = picker.pick();
    if (picked !== undefined) counts[Number(picked.name)] = (counts[Number(picked.name)] ?? 0) + 1;
  }
  return counts;
};

describe('upstream picker', () => {
  it('never picks an upstream of weight 0', () => {
    expect(countPicks([0, 1, 1], 100)).toEqual([0, 50, 50]);
  });

  it('picks in proportion to the weights when no request is in flight', () => {
    expect(countPicks([3, 1], 400)).toEqual([300, 100]);
    expect(countPicks([0.9, 0.1], 100)).toEqual([90, 10]);
  });

  it('alternates between equal weights (round-robin)', () => {
    const items = [item('a'), item('b')];
    const picker = createUpstreamPicker(items);
    expect([picker.pick(), picker.pick(), picker.pick(), picker.pick()]).toEqual([
      items[0],
      items[1],
      items[0],
      items[1],
    ]);
  });

  it('spreads a heavy upstream over time rather than in bursts', () => {
    const picker = createUpstreamPicker([item('a', 2), item('b', 1)]);
    expect([1, 2, 3].map(() => picker.pick()?.name)).toEqual(['a', 'b', 'a']);
  });

  it('sends new requests to the upstream with the fewest in flight per unit of weight', () => {
    const [slow, fast] = [item('slow'), item('fast')];
    const picker = createUpstreamPicker([slow, fast]);
    slow.slot.inFlight = 3;
    expect([1, 2, 3].map(() => picker.pick()?.name)).toEqual(['fast', 'fast', 'fast']);
    fast.slot.inFlight = 3;
    expect(new Set([1, 2].map(() => picker.pick()?.name))).toEqual(new Set(['slow', 'fast']));
    // Weight 2 with 2 in flight carries the same load as weight 1 with 1.
    const heavy = item('heavy', 2);
    const light = item('light', 1);
    heavy.slot.inFlight = 4;
    light.slot.inFlight = 1;
    expect(createUpstreamPicker([heavy, light]).pick()?.name).toBe('light');
  });

  it('skips ejected and retired upstreams, but ejects never the last one', () => {
    const [a, b] = [item('a'), item('b')];
    const picker = createUpstreamPicker([a, b]);
    a.slot.ejectedUntilMs = Date.now() + 60_000;
    expect([1, 2, 3].map(() => picker.pick()?.name)).toEqual(['b', 'b', 'b']);
    b.slot.ejectedUntilMs = Date.now() + 60_000;
    expect(picker.pick()).toBeDefined();
    b.slot.isRetired = true;
    expect([1, 2].map(() => picker.pick()?.name)).toEqual(['a', 'a']);
    a.slot.ejectedUntilMs = Date.now() - 1;
    expect(picker.pick()?.name).toBe('a');
  });

  it('skips the excluded upstream and has nothing left when it was the only one', () => {
    const items = [item('a', 1), item('b', 5)];
    const picker = createUpstreamPicker(items);
    expect(picker.pick(items[1])).toBe(items[0]);
    const single = createUpstreamPicker([items[0]!]);
    expect(single.pick(items[0])).toBeUndefined();
  });

  it('has nothing to pick when every weight is 0', () => {
    const picker = createUpstreamPicker([item('a', 0)]);
    expect(picker.size).toBe(0);
    expect(picker.pick()).toBeUndefined();
  });
});
