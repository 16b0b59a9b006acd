import { describe, expect, it } from 'vitest';
import { histogramQuantile, measureRouterDelta, routerDelta, type RouterCursor } from './router-metric.js';

const bounds = [10, 20, 40];

function cursor(requests: number, latency: number[], latencyBucketsUs = bounds): RouterCursor {
  return { requests, status5xx: 0, others: [requests, 0, 0, 0], latency, latencyBucketsUs, atMs: 0 };
}

describe('histogramQuantile', () => {
  it('interpolates within the bucket, the first one starting at 0', () => {
    expect(histogramQuantile(0.5, bounds, [10, 0, 0, 0])).toBe(5);
    expect(histogramQuantile(0.5, bounds, [0, 10, 10, 0])).toBe(20);
    expect(histogramQuantile(0.75, bounds, [0, 10, 10, 0])).toBe(30);
  });

  it('answers the highest bound for a quantile in the overflow bucket, and null when empty', () => {
    expect(histogramQuantile(0.99, bounds, [1, 0, 0, 99])).toBe(40);
    expect(histogramQuantile(0.5, bounds, [0, 0, 0, 0])).toBeNull();
  });
});

describe('routerDelta', () => {
  it('subtracts the previous read', () => {
    expect(routerDelta(cursor(10, [10, 0, 0, 0]), cursor(30, [15, 15, 0, 0]))).toEqual({
      requests: 20,
      status5xx: 0,
      latency: [5, 15, 0, 0],
      latencyBucketsUs: bounds,
    });
  });

  it('takes any counter going down, or another histogram layout, as a restart', () => {
    expect(routerDelta(cursor(10, [10, 0, 0, 0]), cursor(5, [5, 0, 0, 0]))).toBe('restart');
    // More requests than before, but one bucket went down: the router started again and got busy.
    expect(routerDelta(cursor(10, [0, 10, 0, 0]), cursor(40, [40, 0, 0, 0]))).toBe('restart');
    expect(routerDelta(cursor(10, [10, 0, 0, 0]), cursor(20, [20, 0, 0], [10, 20]))).toBe('restart');
  });
});

describe('measureRouterDelta', () => {
  const delta = { requests: 50, status5xx: 5, latency: [0, 50, 0, 0], latencyBucketsUs: [1_000, 2_000, 4_000] };

  it('turns an interval into rates, milliseconds and counts', () => {
    expect(measureRouterDelta('success-rate', delta, 20).value).toBe(0.9);
    expect(measureRouterDelta('error-rate', delta, 20).value).toBe(0.1);
    expect(measureRouterDelta('latency-p50', delta, 20).value).toBe(1.5);
    expect(measureRouterDelta('request-count', delta, 20).value).toBe(50);
  });

  it('has no data under minRequests, and none without requests even when minRequests is 0', () => {
    expect(measureRouterDelta('success-rate', delta, 51)).toEqual({
      value: null,
      detail: '50 requests to the release in the interval, fewer than minRequests 51',
    });
    expect(measureRouterDelta('error-rate', { ...delta, requests: 0, status5xx: 0 }, 0).value).toBeNull();
  });
});
