/**
 * One release's traffic sample from two reads of the edge's cumulative counters: the requests, 5xx responses and
 * latency histogram of the interval between them, with the interval's p50/p95/p99 from that histogram.
 */
import type { TrafficSampleRecord } from '../ports/metric-sample-repository.js';
import { histogramQuantile, routerDelta, type RouterCursor } from '../delivery/router-metric.js';

export interface TrafficScope {
  appId: string;
  environmentId: string;
  releaseNumber: number;
}

/** Latency quantile (ms) of a histogram whose bounds are in µs; null without a request. */
export function latencyQuantileMs(q: number, boundsUs: readonly number[], counts: readonly number[]): number | null {
  const quantileUs = histogramQuantile(q, boundsUs, counts);
  return quantileUs === null ? null : quantileUs / 1000;
}

/**
 * The sample of the interval between `previous` and `next`, taken at `next.atMs`; `'restart'` when the edge restarted
 * in between (a counter went down): that interval has no usable data.
 */
export function trafficSampleOf(
  previous: RouterCursor,
  next: RouterCursor,
  scope: TrafficScope,
  inFlight: number,
): TrafficSampleRecord | 'restart' {
  const delta = routerDelta(previous, next);
  if (delta === 'restart') return 'restart';
  return {
    ...scope,
    atMs: next.atMs,
    intervalMs: next.atMs - previous.atMs,
    requests: delta.requests,
    errors: delta.status5xx,
    latencyCounts: delta.latency,
    latencyBucketsUs: delta.latencyBucketsUs,
    latencyP50Ms: latencyQuantileMs(0.5, delta.latencyBucketsUs, delta.latency),
    latencyP95Ms: latencyQuantileMs(0.95, delta.latencyBucketsUs, delta.latency),
    latencyP99Ms: latencyQuantileMs(0.99, delta.latencyBucketsUs, delta.latency),
    inFlight,
  };
}
