import { describe, expect, it } from 'vitest';
import type { RouterCursor } from '../delivery/router-metric.js';
import { trafficSampleOf } from './traffic-sample.js';

const boundsUs = [5_000, 10_000, 25_000, 50_000];
const cursor = (atMs: number, latency: number[], status5xx = 0, others = [0, 0, 0, 0]): RouterCursor => ({
  requests: latency.reduce((sum, n) => sum + n, 0),
  status5xx,
  others,
  latency,
  latencyBucketsUs: boundsUs,
  atMs,
});
const scope = { appId: 'app_01', environmentId: 'env_01', releaseNumber: 3 };

describe('trafficSampleOf', () => {
  it('takes the percentiles of the histogram delta between two reads, not of the cumulative counts', () => {
    // Before: 1000 fast requests (under 5 ms). In the interval: 100 more, 50 in 5–10 ms and 50 in 10–25 ms.
    const before = cursor(10_000, [1000, 0, 0, 0, 0], 0, [1000, 0, 0, 0]);
    const after = cursor(25_000, [1000, 50, 50, 0, 0], 4, [1096, 0, 0, 0]);
    const sample = trafficSampleOf(before, after, scope, 7);
    expect(sample).not.toBe('restart');
    if (sample === 'restart') return;
    expect(sample).toMatchObject({
      ...scope,
      atMs: 25_000,
      intervalMs: 15_000,
      requests: 100,
      errors: 4,
      latencyCounts: [0, 50, 50, 0, 0],
      inFlight: 7,
    });
    // Rank 50 of 100 is the last of the 5–10 ms bucket; rank 95 is 45/50 into 10–25 ms; rank 99 is 49/50 into it.
    expect(sample.latencyP50Ms).toBe(10);
    expect(sample.latencyP95Ms).toBeCloseTo(10 + 15 * (45 / 50), 9);
    expect(sample.latencyP99Ms).toBeCloseTo(10 + 15 * (49 / 50), 9);
  });

  it('gives the highest bound for a quantile beyond every bound, and no percentile without a request', () => {
    const slow = trafficSampleOf(cursor(0, [0, 0, 0, 0, 0]), cursor(1000, [0, 0, 0, 0, 10]), scope, 0);
    expect(slow).toMatchObject({ requests: 10, latencyP50Ms: 50, latencyP99Ms: 50 });
    const idle = trafficSampleOf(cursor(0, [3, 0, 0, 0, 0]), cursor(1000, [3, 0, 0, 0, 0]), scope, 0);
    expect(idle).toMatchObject({ requests: 0, errors: 0, latencyP50Ms: null, latencyP95Ms: null, latencyP99Ms: null });
  });

  it('has no sample across an edge restart (a counter went down)', () => {
    expect(trafficSampleOf(cursor(0, [9, 0, 0, 0, 0]), cursor(1000, [2, 0, 0, 0, 0]), scope, 0)).toBe('restart');
  });
});
