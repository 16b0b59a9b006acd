import { describe, expect, it } from 'vitest';
import type { RouteEntry, Upstream } from '@slipway/contract';
import {
  countResponse,
  createTrafficMetrics,
  latencyBucketsUs,
  mergeEdgeMetrics,
  methodIndexOf,
  methodLabels,
} from './traffic-metrics.js';

const upstream: Upstream = { instanceId: 'ins_1', host: '127.0.0.1', port: 4000, releaseNumber: 3, weight: 1 };
const routeOf = (app: string, host = `${app}.localhost`): RouteEntry => ({
  host,
  pathPrefix: '/',
  app,
  environment: 'production',
  process: 'web',
  timeoutMs: null,
  upstreams: [upstream],
});

describe('traffic metrics', () => {
  it('bounds the method: RFC 9110 methods and PATCH by name, any other as _OTHER', () => {
    expect(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'].map(methodIndexOf)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    for (const method of ['PURGE', 'get', 'BREW', 'X'.repeat(100)])
      expect(methodLabels[methodIndexOf(method)]).toBe('_OTHER');
  });

  it('counts requests by method and status class, with the sum of their durations', () => {
    const metrics = createTrafficMetrics();
    const counters = metrics.releaseCounters(routeOf('shop'), upstream);
    countResponse(counters, 200, 4_000, methodIndexOf('GET'));
    countResponse(counters, 503, 80_000, methodIndexOf('GET'));
    countResponse(counters, 201, 20_000_000, methodIndexOf('BREW'));
    const [release] = metrics.snapshot().releases;
    expect(release?.counters).toMatchObject({
      requests: 3,
      durationSumUs: 20_084_000,
      status: { '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 1 },
      byMethod: [
        { method: 'GET', status: { '1xx': 0, '2xx': 1, '3xx': 0, '4xx': 0, '5xx': 1 } },
        { method: '_OTHER', status: { '1xx': 0, '2xx': 1, '3xx': 0, '4xx': 0, '5xx': 0 } },
      ],
    });
    // 4 ms in the first bucket (≤ 5 ms), 80 ms in the ≤ 100 ms one, 20 s past the last bound.
    const latency = release?.counters.latency ?? [];
    expect(latency[0]).toBe(1);
    expect(latency[latencyBucketsUs.indexOf(100_000)]).toBe(1);
    expect(latency[latencyBucketsUs.length]).toBe(1);
  });

  it('counts requests no route matched in one place, whatever their host', () => {
    const metrics = createTrafficMetrics();
    for (let n = 0; n < 100; n += 1) countResponse(metrics.unrouted, 404, 100, methodIndexOf(`M${n}`));
    const snapshot = metrics.snapshot();
    expect(snapshot.unrouted).toMatchObject({ requests: 100, status: { '4xx': 100 } });
    expect(snapshot.routes).toEqual([]);
    expect(mergeEdgeMetrics([snapshot, snapshot]).unrouted).toMatchObject({ requests: 200, status: { '4xx': 200 } });
  });

  it('forgets the counters of apps the table no longer routes', () => {
    const metrics = createTrafficMetrics();
    const kept = routeOf('kept');
    const gone = routeOf('gone');
    countResponse(metrics.routeCounters(kept), 200, 10, 0);
    countResponse(metrics.releaseCounters(gone, upstream), 200, 10, 0);
    countResponse(metrics.routeCounters(gone), 200, 10, 0);
    metrics.retainApps([kept]);
    const snapshot = metrics.snapshot();
    expect(snapshot.routes.map((r) => r.app)).toEqual(['kept']);
    expect(snapshot.releases).toEqual([]);
  });
});
