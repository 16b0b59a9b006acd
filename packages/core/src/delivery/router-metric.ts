/**
 * Router metrics of an analysis: the canary's traffic between two reads of the router's cumulative per-release
 * counters, turned into a success rate, an error rate, latency quantiles or a request count.
 */
import type { EdgeMetrics } from '@slipway/contract';

type RouterMeasure = 'success-rate' | 'error-rate' | 'latency-p50' | 'latency-p99' | 'request-count';

/** One read of one release's cumulative counters, kept between measurements (JSON-serialisable). */
export interface RouterCursor {
  requests: number;
  status5xx: number;
  /** The other status classes and connect errors: only read to notice a router restart. */
  others: number[];
  /** Requests per latency bucket (the last one: longer than every bound). */
  latency: number[];
  /** The buckets' upper bounds (µs); a change means a different router, so a restart. */
  latencyBucketsUs: number[];
  atMs: number;
}

/** The canary's traffic in one interval. */
export interface RouterDelta {
  requests: number;
  status5xx: number;
  latency: number[];
  latencyBucketsUs: number[];
}

/** The release's counters in a read of the router; a release the router never served has all counters at 0. */
export function readRouterCursor(
  metrics: EdgeMetrics,
  release: { app: string; environment: string; releaseNumber: number },
  atMs: number,
): RouterCursor {
  const found = metrics.releases.find(
    (r) => r.app === release.app && r.environment === release.environment && r.releaseNumber === release.releaseNumber,
  );
  const bucketsUs = [...metrics.latencyBucketsUs];
  if (found === undefined) {
    return {
      requests: 0,
      status5xx: 0,
      others: [0, 0, 0, 0],
      latency: new Array<number>(bucketsUs.length + 1).fill(0),
      latencyBucketsUs: bucketsUs,
      atMs,
    };
  }
  const c = found.counters;
  return {
    requests: c.requests,
    status5xx: c.status['5xx'],
    others: [c.status['2xx'], c.status['3xx'], c.status['4xx'], c.connectErrors],
    latency: [...c.latency],
    latencyBucketsUs: bucketsUs,
    atMs,
  };
}

/**
 * The traffic between two reads, or `'restart'` when the router restarted in between (a counter went down, the
 * histogram's layout changed): that interval has no usable data. A restart followed by more traffic than before in
 * every single counter cannot be seen, and is counted as traffic of the interval.
 */
export function routerDelta(previous: RouterCursor, next: RouterCursor): RouterDelta | 'restart' {
  const isSameLayout =
    previous.latencyBucketsUs.length === next.latencyBucketsUs.length &&
    previous.latencyBucketsUs.every((bound, i) => bound === next.latencyBucketsUs[i]) &&
    previous.latency.length === next.latency.length &&
    previous.others.length === next.others.length;
  if (!isSameLayout) return 'restart';
  const pairs: Array<[number, number]> = [
    [previous.requests, next.requests],
    [previous.status5xx, next.status5xx],
    ...previous.others.map((value, i): [number, number] => [value, next.others[i] ?? 0]),
    ...previous.latency.map((value, i): [number, number] => [value, next.latency[i] ?? 0]),
  ];
  if (pairs.some(([before, after]) => after < before)) return 'restart';
  return {
    requests: next.requests - previous.requests,
    status5xx: next.status5xx - previous.status5xx,
    latency: next.latency.map((value, i) => value - (previous.latency[i] ?? 0)),
    latencyBucketsUs: next.latencyBucketsUs,
  };
}

/**
 * The `q`-quantile (0–1) of a histogram, interpolated linearly within its bucket as Prometheus'
 * `histogram_quantile` does: the first bucket starts at 0; a quantile in the overflow bucket (longer than every bound)
 * is the highest bound. `counts[i]` are per bucket (not cumulative), `counts.length === boundsUs.length + 1`.
 * Null for an empty histogram.
 */
export function histogramQuantile(q: number, boundsUs: readonly number[], counts: readonly number[]): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total <= 0 || boundsUs.length === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const inBucket = counts[i] ?? 0;
    if (below + inBucket >= rank && inBucket > 0) {
      if (i >= boundsUs.length) return boundsUs[boundsUs.length - 1] ?? null;
      const start = i === 0 ? 0 : (boundsUs[i - 1] ?? 0);
      const end = boundsUs[i] ?? start;
      return start + (end - start) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return boundsUs[boundsUs.length - 1] ?? null;
}

/** A router measurement: the value, or null (no data) with the reason. */
export type RouterReading = { value: number; detail: string | null } | { value: null; detail: string };

/**
 * One measure over one interval's traffic. Fewer than `minRequests` requests (or none) is no data, whatever the
 * measure, so a canary nobody reached is never judged healthy. Latencies are in milliseconds.
 */
export function measureRouterDelta(measure: RouterMeasure, delta: RouterDelta, minRequests: number): RouterReading {
  if (delta.requests < minRequests || delta.requests === 0)
    return {
      value: null,
      detail: `${delta.requests} request${delta.requests === 1 ? '' : 's'} to the release in the interval, fewer than minRequests ${minRequests}`,
    };
  switch (measure) {
    case 'request-count':
      return { value: delta.requests, detail: null };
    case 'success-rate':
      return { value: (delta.requests - delta.status5xx) / delta.requests, detail: `${delta.requests} requests` };
    case 'error-rate':
      return { value: delta.status5xx / delta.requests, detail: `${delta.requests} requests` };
    case 'latency-p50':
    case 'latency-p99': {
      const quantileUs = histogramQuantile(
        measure === 'latency-p50' ? 0.5 : 0.99,
        delta.latencyBucketsUs,
        delta.latency,
      );
      return quantileUs === null
        ? { value: null, detail: 'the router keeps no latency histogram for the release' }
        : { value: quantileUs / 1000, detail: `${delta.requests} requests` };
    }
  }
}
