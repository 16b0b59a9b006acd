import { describe, expect, it } from 'vitest';
import { createUpstreamPicker } from './upstream-picker.js';

const countPicks = (weights: number[], picks: number): number[] => {
  const items = weights.map((weight, index) => ({ index, weight }));
  const picker = createUpstreamPicker(items);
  const counts = weights.map(() => 0);
  for (let i = 0; i < picks; i += 1) {
    const picked = picker.pick();
    if (picked !== undefined) counts[picked.index] = (counts[picked.index] ?? 0) + 1;
  }
  return counts;
};

describe('upstream picker', () => {
  it('never picks an upstream of weight 0', () => {
    expect(countPicks([0, 1, 1], 100)).toEqual([0, 50, 50]);
  });

  it('picks in proportion to the weights', () => {
    expect(countPicks([3, 1], 400)).toEqual([300, 100]);
    expect(countPicks([0.9, 0.1], 100)).toEqual([90, 10]);
  });

  it('alternates between equal weights (round-robin)', () => {
    const items = [{ weight: 1 }, { weight: 1 }];
    const picker = createUpstreamPicker(items);
    expect([picker.pick(), picker.pick(), picker.pick(), picker.pick()]).toEqual([
      items[0],
      items[1],
      items[0],
      items[1],
    ]);
  });

  it('spreads a heavy upstream over time rather than in bursts', () => {
    const items = [
      { name: 'a', weight: 2 },
      { name: 'b', weight: 1 },
    ];
    const picker = createUpstreamPicker(items);
    expect([1, 2, 3].map(() => picker.pick()?.name)).toEqual(['a', 'b', 'a']);
  });

  it('skips the excluded upstream and has nothing left when it was the only one', () => {
    const items = [{ weight: 1 }, { weight: 5 }];
    const picker = createUpstreamPicker(items);
    expect(picker.pick(items[1])).toBe(items[0]);
    const single = createUpstreamPicker([items[0]!]);
    expect(single.pick(items[0])).toBeUndefined();
  });

  it('has nothing to pick when every weight is 0', () => {
    const picker = createUpstreamPicker([{ weight: 0 }]);
    expect(picker.size).toBe(0);
    expect(picker.pick()).toBeUndefined();
  });
});
