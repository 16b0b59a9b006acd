import { describe, expect, it } from 'vitest';
import { planRollingStep, resolveRollingBounds } from './rolling-bounds.js';

describe('resolveRollingBounds', () => {
  it('rounds surge up and unavailable down like Kubernetes', () => {
    expect(resolveRollingBounds('25%', '25%', 10)).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(resolveRollingBounds('25%', '25%', 1)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  it('lets one instance be unavailable when both bounds resolve to zero', () => {
    expect(resolveRollingBounds(0, '10%', 3)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  it('takes absolute numbers as they are', () => {
    expect(resolveRollingBounds(2, 1, 5)).toEqual({ maxSurge: 2, maxUnavailable: 1 });
  });
});

describe('planRollingStep', () => {
  const oneByOne = { maxSurge: 1, maxUnavailable: 0 };

  it('starts a surge instance before retiring the only old one', () => {
    expect(planRollingStep({ desired: 1, newTotal: 0, newHealthy: 0, oldTotal: 1, oldHealthy: 1 }, oneByOne)).toEqual({
      toStart: 1,
      toRetire: 0,
    });
  });

  it('retires the old instance once the new one is healthy', () => {
    expect(planRollingStep({ desired: 1, newTotal: 1, newHealthy: 1, oldTotal: 1, oldHealthy: 1 }, oneByOne)).toEqual({
      toStart: 0,
      toRetire: 1,
    });
  });

  it('keeps the old instance while the new one is not yet healthy', () => {
    expect(planRollingStep({ desired: 1, newTotal: 1, newHealthy: 0, oldTotal: 1, oldHealthy: 1 }, oneByOne)).toEqual({
      toStart: 0,
      toRetire: 0,
    });
  });

  it('retires unhealthy old instances at once since they serve nothing', () => {
    expect(planRollingStep({ desired: 2, newTotal: 0, newHealthy: 0, oldTotal: 2, oldHealthy: 0 }, oneByOne)).toEqual({
      toStart: 1,
      toRetire: 2,
    });
  });

  it('retires one old instance while surging one new when one may be unavailable', () => {
    expect(
      planRollingStep(
        { desired: 4, newTotal: 0, newHealthy: 0, oldTotal: 4, oldHealthy: 4 },
        { maxSurge: 1, maxUnavailable: 1 },
      ),
    ).toEqual({ toStart: 1, toRetire: 1 });
  });

  it('starts everything when nothing old is left', () => {
    expect(planRollingStep({ desired: 3, newTotal: 0, newHealthy: 0, oldTotal: 0, oldHealthy: 0 }, oneByOne)).toEqual({
      toStart: 3,
      toRetire: 0,
    });
  });
});
