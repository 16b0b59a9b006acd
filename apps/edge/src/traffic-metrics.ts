/** Per-route and per-release traffic counters (requests, status classes, connect errors, latency histogram), kept in memory. */
import type { EdgeMetrics, RouteEntry, TrafficCounters, Upstream } from '@slipway/contract';

/** Fixed upper bounds (µs), so histograms of different routes, releases and routers add up. */
export const latencyBucketsUs: readonly number[] = [
  1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

/** Mutable counters updated on the hot path: plain fields and a preallocated array, no allocation per request. */
export interface Counters {
  requests: number;
  status2xx: number;
  status3xx: number;
  status4xx: number;
  status5xx: number;
  connectErrors: number;
  readonly latency: number[];
}

export interface TrafficMetrics {
  /** The counters of a route (by host and path prefix), the same object across table updates. */
  readonly routeCounters: (route: RouteEntry) => Counters;
  /** The counters of the release an upstream belongs to (app, environment, release number). */
  readonly releaseCounters: (route: RouteEntry, upstream: Upstream) => Counters;
  readonly snapshot: () => EdgeMetrics;
}

export function createTrafficMetrics(): TrafficMetrics {
  const routes = new Map<string, { route: RouteEntry; counters: Counters }>();
  const releases = new Map<string, { app: string; environment: string; releaseNumber: number; counters: Counters }>();

  function routeCounters(route: RouteEntry): Counters {
    const key = `${route.host} ${route.pathPrefix}`;
    const known = routes.get(key);
    if (known !== undefined) {
      known.route = route;
      return known.counters;
    }
    const counters = emptyCounters();
    routes.set(key, { route, counters });
    return counters;
  }

  function releaseCounters(route: RouteEntry, upstream: Upstream): Counters {
    const key = `${route.app} ${route.environment} ${upstream.releaseNumber}`;
    const known = releases.get(key);
    if (known !== undefined) return known.counters;
    const counters = emptyCounters();
    releases.set(key, {
      app: route.app,
      environment: route.environment,
      releaseNumber: upstream.releaseNumber,
      counters,
    });
    return counters;
  }

  function snapshot(): EdgeMetrics {
    return {
      latencyBucketsUs: [...latencyBucketsUs],
      routes: [...routes.values()].map(({ route, counters }) => ({
        host: route.host,
        pathPrefix: route.pathPrefix,
        app: route.app,
        environment: route.environment,
        process: route.process,
        counters: wireOf(counters),
      })),
      releases: [...releases.values()].map(({ app, environment, releaseNumber, counters }) => ({
        app,
        environment,
        releaseNumber,
        counters: wireOf(counters),
      })),
    };
  }

  return { routeCounters, releaseCounters, snapshot };
}

export function emptyCounters(): Counters {
  return {
    requests: 0,
    status2xx: 0,
    status3xx: 0,
    status4xx: 0,
    status5xx: 0,
    connectErrors: 0,
    latency: new Array<number>(latencyBucketsUs.length + 1).fill(0),
  };
}

/** Counts one finished request. */
export function countResponse(counters: Counters, statusCode: number, durationUs: number): void {
  counters.requests += 1;
  if (statusCode >= 500) counters.status5xx += 1;
  else if (statusCode >= 400) counters.status4xx += 1;
  else if (statusCode >= 300) counters.status3xx += 1;
  else if (statusCode >= 200) counters.status2xx += 1;
  let bucket = 0;
  while (bucket < latencyBucketsUs.length && durationUs > (latencyBucketsUs[bucket] ?? Infinity)) bucket += 1;
  counters.latency[bucket] = (counters.latency[bucket] ?? 0) + 1;
}

function wireOf(counters: Counters): TrafficCounters {
  return {
    requests: counters.requests,
    status: {
      '2xx': counters.status2xx,
      '3xx': counters.status3xx,
      '4xx': counters.status4xx,
      '5xx': counters.status5xx,
    },
    connectErrors: counters.connectErrors,
    latency: [...counters.latency],
  };
}

/** Sums the counters of several routers (the primary and its workers) route by route and release by release. */
export function mergeEdgeMetrics(snapshots: readonly EdgeMetrics[]): EdgeMetrics {
  const routes = new Map<string, EdgeMetrics['routes'][number]>();
  const releases = new Map<string, EdgeMetrics['releases'][number]>();
  for (const snapshot of snapshots) {
    for (const route of snapshot.routes) {
      const key = `${route.host} ${route.pathPrefix}`;
      const known = routes.get(key);
      routes.set(
        key,
        known === undefined ? route : { ...known, counters: addCounters(known.counters, route.counters) },
      );
    }
    for (const release of snapshot.releases) {
      const key = `${release.app} ${release.environment} ${release.releaseNumber}`;
      const known = releases.get(key);
      releases.set(
        key,
        known === undefined ? release : { ...known, counters: addCounters(known.counters, release.counters) },
      );
    }
  }
  return { latencyBucketsUs: [...latencyBucketsUs], routes: [...routes.values()], releases: [...releases.values()] };
}

function addCounters(a: TrafficCounters, b: TrafficCounters): TrafficCounters {
  return {
    requests: a.requests + b.requests,
    status: {
      '2xx': a.status['2xx'] + b.status['2xx'],
      '3xx': a.status['3xx'] + b.status['3xx'],
      '4xx': a.status['4xx'] + b.status['4xx'],
      '5xx': a.status['5xx'] + b.status['5xx'],
    },
    connectErrors: a.connectErrors + b.connectErrors,
    latency: a.latency.map((count, bucket) => count + (b.latency[bucket] ?? 0)),
  };
}
