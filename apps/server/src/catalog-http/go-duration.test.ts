import { describe, expect, it } from 'vitest';
import { formatGoDuration } from '@slipway/core';
import { parseGoDurationMs } from './go-duration.js';

describe('parseGoDurationMs', () => {
  it.each([
    ['0', 0],
    ['10s', 10_000],
    ['120000ms', 120_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['2us', 0.002],
    ['3µs', 0.003],
    ['1h2m3s4ms', 3_723_004],
    ['-1s', -1000],
  ])('reads %s as %d ms', (text, expectedMs) => {
    expect(parseGoDurationMs(text)).toBeCloseTo(expectedMs, 9);
  });

  it.each(['', '10', 's', '1d', '1 s', '1s ', 'abc', '-', '1.s2', '1e3s'])('refuses %j', (text) => {
    expect(parseGoDurationMs(text)).toBeUndefined();
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [15_000, '15s'],
    [90_000, '1m30s'],
    [250, '250ms'],
    [3_723_000, '1h2m3s'],
  ])('prints %d ms as %s', (durationMs, expected) => {
    expect(formatGoDuration(durationMs)).toBe(expected);
  });
});
