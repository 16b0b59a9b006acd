import { describe, expect, it } from 'vitest';
import type { TrafficSampleRecord } from '../ports/metric-sample-repository.js';
import { axisTimestamps, seriesAxis, trafficPoint, trafficSeries } from './metric-series.js';

const boundsUs = [10_000, 20_000];
const sample = (over: Partial<TrafficSampleRecord>): TrafficSampleRecord => ({
  appId: 'app_01',
  environmentId: 'env_01',
  releaseNumber: 1,
  atMs: 0,
  intervalMs: 10_000,
  requests: 0,
  errors: 0,
  latencyCounts: [0, 0, 0],
  latencyBucketsUs: boundsUs,
  latencyP50Ms: null,
  latencyP95Ms: null,
  latencyP99Ms: null,
  inFlight: 0,
  ...over,
});

describe('seriesAxis', () => {
  it('defaults to the smallest multiple of the sample interval that keeps at most 500 points', () => {
    expect(seriesAxis({ sinceMs: 0, untilMs: 3_600_000, stepMs: undefined, sampleIntervalMs: 15_000 })).toEqual({
      startMs: 0,
      stepMs: 15_000,
      points: 240,
    });
    // 7 days need a step of at least 1210 s: the next multiple of 15 s is 1215 s.
    const week = seriesAxis({ sinceMs: 0, untilMs: 7 * 86_400_000, stepMs: undefined, sampleIntervalMs: 15_000 });
    expect(week.stepMs).toBe(1_215_000);
    expect(week.points).toBeLessThanOrEqual(500);
  });

  it('raises a step too small for the window, and aligns steps on multiples of the step', () => {
    const axis = seriesAxis({ sinceMs: 1_500, untilMs: 1_001_500, stepMs: 1_000, sampleIntervalMs: 200 });
    // Aligned on 0 it would take 501 steps: the leading one (mostly before the window) is dropped.
    expect(axis).toEqual({ startMs: 2_000, stepMs: 2_000, points: 500 });
    expect(axisTimestamps(axis).slice(0, 3)).toEqual([2_000, 4_000, 6_000]);
    expect(seriesAxis({ sinceMs: 0, untilMs: 60_000, stepMs: 10_000, sampleIntervalMs: 15_000 }).points).toBe(6);
  });
});

describe('trafficPoint', () => {
  it('adds histograms before taking percentiles, and sums the rates of releases over their own sampled time', () => {
    const point = trafficPoint([
      // Release 1: two samples of 10 s, 100 fast requests then 100 slow ones.
      sample({ atMs: 0, requests: 100, latencyCounts: [100, 0, 0], latencyP50Ms: 5, inFlight: 2 }),
      sample({ atMs: 10_000, requests: 100, errors: 10, latencyCounts: [0, 100, 0], latencyP50Ms: 15, inFlight: 4 }),
      // Release 2 (a canary) beside it: 50 requests in one sample of 10 s.
      sample({ releaseNumber: 2, atMs: 10_000, requests: 50, latencyCounts: [0, 0, 50], inFlight: 1 }),
    ]);
    expect(point.requestsPerSecond).toBe(200 / 20 + 50 / 10);
    expect(point.errorRate).toBe(10 / 250);
    // Rank 125 of 250: 25 into the second bucket's 100 (not the average of the samples' medians, 10 ms).
    expect(point.latencyP50Ms).toBe(10 + 10 * (25 / 100));
    expect(point.latencyP99Ms).toBe(20);
    expect(point.inFlight).toBe(3 + 1);
  });

  it('has a rate of 0 but no ratio or percentile for sampled steps without requests, and nulls where nothing was sampled', () => {
    const axis = { startMs: 0, stepMs: 10_000, points: 2 };
    const series = trafficSeries(axis, [sample({ atMs: 5_000 })]);
    expect(series.requestsPerSecond).toEqual([0, null]);
    expect(series.errorRate).toEqual([null, null]);
    expect(series.latencyP95Ms).toEqual([null, null]);
  });
});
