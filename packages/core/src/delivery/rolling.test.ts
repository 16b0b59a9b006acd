import { describe, expect, it } from 'vitest';
import { createRollingStrategy } from './rolling.js';
import { createRecreateStrategy } from './recreate.js';
import type { ProcessObservation, RolloutObservation } from './rollout-model.js';

const counts = (live: number, healthy: number): ProcessObservation => ({ live, healthy, broken: 0, retiring: 0 });
const observe = (fresh: ProcessObservation, old: ProcessObservation, replicas = 3): RolloutObservation => ({
  nowMs: 0,
  target: { releaseId: 'rel_2', releaseNumber: 2, processes: { web: fresh } },
  stable: { releaseId: 'rel_1', releaseNumber: 1, processes: { web: old } },
  scale: { web: replicas },
  current: [],
  outside: 0,
});
const scales = (observation: RolloutObservation, stepIndex = 0) =>
  createRollingStrategy({ maxSurge: 1, maxUnavailable: 0 })
    .decide(stepIndex, observation)
    .targets.map((t) => [t.releaseNumber, t.scale.web, t.weight]);

describe('rolling strategy', () => {
  it('surges one new instance before retiring an old one (maxSurge 1, maxUnavailable 0)', () => {
    expect(scales(observe(counts(0, 0), counts(3, 3)))).toEqual([
      [2, 1, null],
      [1, 3, null],
    ]);
    expect(scales(observe(counts(1, 0), counts(3, 3)))).toEqual([
      [2, 1, null],
      [1, 3, null],
    ]);
    expect(scales(observe(counts(1, 1), counts(3, 3)))).toEqual([
      [2, 1, null],
      [1, 2, null],
    ]);
  });

  it('wants the new release alone at full scale once it is rolled out, surplus included', () => {
    expect(scales(observe(counts(4, 4), counts(0, 0)))).toEqual([[2, 3, null]]);
  });

  it('recreate stops the stable release first, keeping new instances a resumed rollout finds', () => {
    const recreate = createRecreateStrategy();
    const first = recreate.decide(0, observe(counts(1, 0), counts(3, 3)));
    expect(first.targets.map((t) => [t.releaseNumber, t.scale.web])).toEqual([[2, 1]]);
    expect(first.isFinal).toBe(false);
    expect(recreate.decide(1, observe(counts(1, 0), counts(0, 0))).targets.map((t) => t.scale.web)).toEqual([3]);
  });
});
