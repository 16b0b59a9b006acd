/**
 * Per-route and per-release traffic counters (requests by method and status class, connect errors, a latency
 * histogram with its sum, requests in flight), and those of requests no route matched, kept in memory.
 */
import type { EdgeMetrics, RouteEntry, TrafficCounters, Upstream } from '@slipway/contract';
import { addColdCounters, coldWireOf, emptyColdCounters, type ColdCounters } from './cold-start-metrics.js';

/**
 * Fixed upper bounds (µs), so histograms of different routes, releases and routers add up: the boundaries the
 * OpenTelemetry HTTP conventions advise for `http.server.request.duration` (0.005 s … 10 s; their 0 boundary is left
 * out, no request takes no time).
 */
export const latencyBucketsUs: readonly number[] = [
  5_000, 10_000, 25_000, 50_000, 75_000, 100_000, 250_000, 500_000, 750_000, 1_000_000, 2_500_000, 5_000_000, 7_500_000,
  10_000_000,
];

/** The methods counted by name (RFC 9110 and PATCH); any other is counted as `_OTHER`, so the label stays bounded. */
export const methodLabels: readonly string[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  '_OTHER',
];
const otherMethod = methodLabels.length - 1;
/** Status classes of the method counts: 1xx (and anything under 200), 2xx, 3xx, 4xx, 5xx. */
export const statusClassLabels = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Mutable counters updated on the hot path: plain fields and a preallocated array, no allocation per request. */
export interface Counters {
  requests: number;
  status2xx: number;
  status3xx: number;
  status4xx: number;
  status5xx: number;
  connectErrors: number;
  readonly latency: number[];
  /** Sum of the durations counted in `latency` (µs). */
  durationSumUs: number;
  /** Requests under way (routed, not yet finished). */
  active: number;
  /** Requests by method and status class: `methodStatus[method * 5 + class]` (see `methodLabels`, `statusClassLabels`). */
  readonly methodStatus: number[];
}

export interface TrafficMetrics {
  /** The counters of a route (by host and path prefix), the same object across table updates. */
  readonly routeCounters: (route: RouteEntry) => Counters;
  /** The cold-start counters of a wakeable route (by host and path prefix), the same object across table updates. */
  readonly coldCounters: (route: RouteEntry) => ColdCounters;
  /** The counters of the release an upstream belongs to (app, environment, release number). */
  readonly releaseCounters: (route: RouteEntry, upstream: Upstream) => Counters;
  /** The counters of requests no route matched (whatever their Host), answered by the router itself. */
  readonly unrouted: Counters;
  /** Forgets the counters of apps (app and environment) the table no longer routes: their series disappear. */
  readonly retainApps: (routes: readonly RouteEntry[]) => void;
  readonly snapshot: () => EdgeMetrics;
}

export function createTrafficMetrics(): TrafficMetrics {
  const routes = new Map<string, { route: RouteEntry; counters: Counters; cold?: ColdCounters }>();
  const releases = new Map<string, { app: string; environment: string; releaseNumber: number; counters: Counters }>();
  const unrouted = emptyCounters();

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

  function coldCounters(route: RouteEntry): ColdCounters {
    routeCounters(route);
    const known = routes.get(`${route.host} ${route.pathPrefix}`);
    if (known === undefined) return emptyColdCounters();
    known.cold ??= emptyColdCounters();
    return known.cold;
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

  function retainApps(table: readonly RouteEntry[]): void {
    const apps = new Set(table.map((route) => `${route.app} ${route.environment}`));
    for (const [key, { route }] of routes) if (!apps.has(`${route.app} ${route.environment}`)) routes.delete(key);
    for (const [key, release] of releases) if (!apps.has(`${release.app} ${release.environment}`)) releases.delete(key);
  }

  function snapshot(): EdgeMetrics {
    return {
      latencyBucketsUs: [...latencyBucketsUs],
      unrouted: wireOf(unrouted),
      routes: [...routes.values()].map(({ route, counters, cold }) => ({
        host: route.host,
        pathPrefix: route.pathPrefix,
        app: route.app,
        environment: route.environment,
        process: route.process,
        counters: wireOf(counters),
        ...(cold === undefined ? {} : { coldStart: coldWireOf(cold) }),
      })),
      releases: [...releases.values()].map(({ app, environment, releaseNumber, counters }) => ({
        app,
        environment,
        releaseNumber,
        counters: wireOf(counters),
      })),
    };
  }

  return { routeCounters, coldCounters, releaseCounters, unrouted, retainApps, snapshot };
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
    durationSumUs: 0,
    active: 0,
    methodStatus: new Array<number>(methodLabels.length * statusClassLabels.length).fill(0),
  };
}

/** The index of a method in `methodLabels`; a switch on the string, so counting allocates nothing. */
export function methodIndexOf(method: string): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'HEAD':
      return 1;
    case 'POST':
      return 2;
    case 'PUT':
      return 3;
    case 'DELETE':
      return 4;
    case 'CONNECT':
      return 5;
    case 'OPTIONS':
      return 6;
    case 'TRACE':
      return 7;
    case 'PATCH':
      return 8;
    default:
      return otherMethod;
  }
}

/** Counts one finished request; `method` is an index of `methodLabels` (`methodIndexOf`). */
export function countResponse(counters: Counters, statusCode: number, durationUs: number, method: number): void {
  counters.requests += 1;
  let statusClass = 0;
  if (statusCode >= 500) {
    counters.status5xx += 1;
    statusClass = 4;
  } else if (statusCode >= 400) {
    counters.status4xx += 1;
    statusClass = 3;
  } else if (statusCode >= 300) {
    counters.status3xx += 1;
    statusClass = 2;
  } else if (statusCode >= 200) {
    counters.status2xx += 1;
    statusClass = 1;
  }
  const cell = method * statusClassLabels.length + statusClass;
  counters.methodStatus[cell] = (counters.methodStatus[cell] ?? 0) + 1;
  counters.durationSumUs += durationUs;
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
    durationSumUs: counters.durationSumUs,
    active: counters.active,
    byMethod: methodLabels.flatMap((method, m) => {
      const at = m * statusClassLabels.length;
      const cells = counters.methodStatus.slice(at, at + statusClassLabels.length);
      if (cells.every((count) => count === 0)) return [];
      const [c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0] = cells;
      return [{ method, status: { '1xx': c1, '2xx': c2, '3xx': c3, '4xx': c4, '5xx': c5 } }];
    }),
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
      const coldStart = addColdCounters(known?.coldStart, route.coldStart);
      routes.set(
        key,
        known === undefined
          ? route
          : {
              ...known,
              counters: addCounters(known.counters, route.counters),
              ...(coldStart === undefined ? {} : { coldStart }),
            },
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
  const unrouted = snapshots.reduce<TrafficCounters | undefined>(
    (sum, snapshot) =>
      snapshot.unrouted === undefined
        ? sum
        : sum === undefined
          ? snapshot.unrouted
          : addCounters(sum, snapshot.unrouted),
    undefined,
  );
  return {
    latencyBucketsUs: [...latencyBucketsUs],
    ...(unrouted === undefined ? {} : { unrouted }),
    routes: [...routes.values()],
    releases: [...releases.values()],
  };
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
    durationSumUs: (a.durationSumUs ?? 0) + (b.durationSumUs ?? 0),
    active: (a.active ?? 0) + (b.active ?? 0),
    byMethod: addByMethod(a.byMethod ?? [], b.byMethod ?? []),
  };
}

type ByMethod = NonNullable<TrafficCounters['byMethod']>;

function addByMethod(a: ByMethod, b: ByMethod): ByMethod {
  const sums = new Map(a.map((entry) => [entry.method, { ...entry.status }]));
  for (const { method, status } of b) {
    const known = sums.get(method);
    if (known === undefined) sums.set(method, { ...status });
    else for (const key of statusClassLabels) known[key] += status[key];
  }
  return [...sums].map(([method, status]) => ({ method, status }));
}
