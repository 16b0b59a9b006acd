/**
 * The edge's traffic counters as Prometheus metrics: read from the edge's admin API at scrape time (with a deadline,
 * so a stuck edge costs a scrape `slipway_edge_up 0`, never a hung one), named after the OpenTelemetry HTTP
 * conventions, and only for apps the store still has (a deleted app's series disappear on the next scrape).
 */
import type { EdgeMetrics, TrafficCounters } from '@slipway/contract';
import type { MetricFamily, Sample } from './exposition-text.js';

const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
/** The classes of `TrafficCounters.status` (responses; 1xx are counted only by method). */
const responseClasses = ['2xx', '3xx', '4xx', '5xx'] as const;

/** Reads the edge's snapshot, or undefined when it does not answer within `timeoutMs` or fails. */
export async function readEdgeSnapshot(
  read: () => Promise<EdgeMetrics>,
  timeoutMs: number,
): Promise<EdgeMetrics | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([read().catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A histogram's samples from counts per bucket (the last one beyond every bound) and the sum of the values (µs). */
function histogramSamples(
  labels: Record<string, string>,
  counts: readonly number[],
  sumUs: number,
  bucketsUs: readonly number[],
) {
  const samples: Sample[] = [];
  let cumulative = 0;
  bucketsUs.forEach((boundUs, bucket) => {
    cumulative += counts[bucket] ?? 0;
    samples.push({ suffix: '_bucket', labels: { ...labels, le: String(boundUs / 1_000_000) }, value: cumulative });
  });
  const count = counts.reduce((sum, value) => sum + value, 0);
  samples.push(
    { suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: count },
    { suffix: '_sum', labels, value: sumUs / 1_000_000 },
    { suffix: '_count', labels, value: count },
  );
  return samples;
}

/** Requests by method and status class; from routers that do not count by method, by status class under `_OTHER`. */
function methodSamples(labels: Record<string, string>, counters: TrafficCounters): Sample[] {
  const byMethod = counters.byMethod ?? [{ method: '_OTHER', status: { '1xx': 0, ...counters.status } }];
  return byMethod.flatMap(({ method, status }) =>
    statusClasses
      .filter((statusClass) => status[statusClass] > 0)
      .map((statusClass) => ({
        labels: { ...labels, http_request_method: method, http_response_status_class: statusClass },
        value: status[statusClass],
      })),
  );
}

/**
 * The families of a snapshot (none but `slipway_edge_up 0` without one). `apps` holds the names of the apps that
 * exist; counters of any other app are left out.
 */
export function edgeMetricFamilies(snapshot: EdgeMetrics | undefined, apps: ReadonlySet<string>): MetricFamily[] {
  const up: MetricFamily = {
    name: 'slipway_edge_up',
    help: "Whether the edge's admin API answered this scrape in time (1) or not (0)",
    type: 'gauge',
    samples: [{ labels: {}, value: snapshot === undefined ? 0 : 1 }],
  };
  if (snapshot === undefined) return [up];
  const routes = snapshot.routes.filter((route) => apps.has(route.app));
  const releases = snapshot.releases.filter((release) => apps.has(release.app));
  const releaseLabels = (release: EdgeMetrics['releases'][number]) => ({
    app: release.app,
    environment: release.environment,
    release: String(release.releaseNumber),
  });
  const routeLabels = (route: EdgeMetrics['routes'][number]) => ({
    host: route.host,
    http_route: route.pathPrefix,
    app: route.app,
    environment: route.environment,
  });
  const unrouted = snapshot.unrouted;
  return [
    up,
    {
      name: 'slipway_http_server_request_duration_seconds',
      help: 'Duration of requests the edge proxied to a release, from request head to response end',
      type: 'histogram',
      samples: releases.flatMap((r) =>
        histogramSamples(
          releaseLabels(r),
          r.counters.latency,
          r.counters.durationSumUs ?? 0,
          snapshot.latencyBucketsUs,
        ),
      ),
    },
    {
      name: 'slipway_http_server_requests_total',
      help: 'Requests the edge answered for a route (host and path prefix), by method and status class',
      type: 'counter',
      samples: routes.flatMap((route) => methodSamples(routeLabels(route), route.counters)),
    },
    {
      name: 'slipway_http_server_unrouted_requests_total',
      help: "Requests whose host and path no route serves (whatever their Host: Caddy's _other), by status class",
      type: 'counter',
      samples:
        unrouted === undefined
          ? []
          : responseClasses
              .filter((statusClass) => unrouted.status[statusClass] > 0)
              .map((statusClass) => ({
                labels: { http_response_status_class: statusClass },
                value: unrouted.status[statusClass],
              })),
    },
    {
      name: 'slipway_http_server_active_requests',
      help: 'Requests the edge is handling now, by route',
      type: 'gauge',
      samples: routes.map((route) => ({ labels: routeLabels(route), value: route.counters.active ?? 0 })),
    },
    {
      name: 'slipway_http_server_release_responses_total',
      help: 'Responses of requests proxied to a release, by status class',
      type: 'counter',
      samples: releases.flatMap((release) =>
        responseClasses.map((statusClass) => ({
          labels: { ...releaseLabels(release), http_response_status_class: statusClass },
          value: release.counters.status[statusClass],
        })),
      ),
    },
    {
      name: 'slipway_upstream_connect_errors_total',
      help: "Connections to a release's instances that failed before any byte was sent",
      type: 'counter',
      samples: releases.map((release) => ({ labels: releaseLabels(release), value: release.counters.connectErrors })),
    },
    ...coldStartFamilies(routes, routeLabels, snapshot.latencyBucketsUs),
  ];
}

/** Scale to zero: requests held by outcome, held now, cold starts, and how long a wake took. */
function coldStartFamilies(
  routes: EdgeMetrics['routes'],
  routeLabels: (route: EdgeMetrics['routes'][number]) => Record<string, string>,
  bucketsUs: readonly number[],
): MetricFamily[] {
  const cold = routes.flatMap((route) =>
    route.coldStart === undefined ? [] : [{ labels: routeLabels(route), counters: route.coldStart }],
  );
  return [
    {
      name: 'slipway_edge_held_requests_total',
      help: 'Requests the edge held for a route scaled to zero (held), and those it answered 503 because its hold queue was full (refused) or no instance came in time (timed_out)',
      type: 'counter',
      samples: cold.flatMap(({ labels, counters }) =>
        (['held', 'refused', 'timed_out'] as const).map((outcome) => ({
          labels: { ...labels, outcome },
          value: outcome === 'timed_out' ? counters.timedOut : counters[outcome],
        })),
      ),
    },
    {
      name: 'slipway_edge_held_requests',
      help: 'Requests the edge holds now for a route scaled to zero',
      type: 'gauge',
      samples: cold.map(({ labels, counters }) => ({ labels, value: counters.holding })),
    },
    {
      name: 'slipway_edge_cold_starts_total',
      help: 'Times a route scaled to zero held a first request and asked for an instance',
      type: 'counter',
      samples: cold.map(({ labels, counters }) => ({ labels, value: counters.wakes })),
    },
    {
      name: 'slipway_edge_cold_start_duration_seconds',
      help: 'From the first request held for a route scaled to zero until the held requests went to an instance',
      type: 'histogram',
      samples: cold.flatMap(({ labels, counters }) =>
        histogramSamples(labels, counters.wakeDuration, counters.wakeDurationSumUs, bucketsUs),
      ),
    },
  ];
}
