import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { edgeMetricsSchema, type EdgeMetrics, type RouteEntry, type Upstream } from '@slipway/contract';
import { removeDir, routeTo, send, startTestEdge, startUpstream, type TestEdge } from './edge-test-harness.js';
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

describe('traffic metrics of a real router', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const metricsOf = async (router: TestEdge): Promise<EdgeMetrics> =>
    edgeMetricsSchema.parse(JSON.parse((await router.admin('GET', '/metrics')).body));

  it('counts a request active while it is under way, and unrouted requests apart from routes, whatever their host', async () => {
    const held: ServerResponse[] = [];
    const app = await startUpstream('app', (_req, res) => held.push(res));
    cleanups.push(() => app.close());
    const router = await startTestEdge({ table: { routes: [routeTo('q.test', '/', [app.asUpstream()])] } });
    cleanups.push(async () => {
      await router.close();
      await removeDir(router.stateDir);
    });

    const pending = send({ port: router.port, headers: { host: 'q.test' } });
    await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect((await metricsOf(router)).routes[0]?.counters.active).toBe(1);
    for (let n = 0; n < 5; n += 1) {
      const answer = await send({ port: router.port, method: `M${n}`, headers: { host: `h${n}.nowhere.test` } });
      expect(answer.statusCode).toBe(404);
    }
    held[0]?.end('ok');
    expect((await pending).statusCode).toBe(200);

    const metrics = await metricsOf(router);
    expect(metrics.routes[0]?.counters).toMatchObject({ requests: 1, active: 0 });
    expect(metrics.routes[0]?.counters.byMethod).toEqual([
      { method: 'GET', status: { '1xx': 0, '2xx': 1, '3xx': 0, '4xx': 0, '5xx': 0 } },
    ]);
    expect(metrics.unrouted).toMatchObject({ requests: 5, status: { '4xx': 5 } });
    expect(metrics.routes).toHaveLength(1);
  });

  it('forgets the counters of an app once the table no longer routes it', async () => {
    const app = await startUpstream('app');
    cleanups.push(() => app.close());
    const router = await startTestEdge({
      table: { routes: [routeTo('q.test', '/', [app.asUpstream()]), routeTo('gone.test', '/', [app.asUpstream()])] },
    });
    cleanups.push(async () => {
      await router.close();
      await removeDir(router.stateDir);
    });
    for (const host of ['q.test', 'gone.test'])
      expect((await send({ port: router.port, headers: { host } })).statusCode).toBe(200);
    expect((await metricsOf(router)).routes.map((r) => r.host).sort()).toEqual(['gone.test', 'q.test']);

    await router.putTable({ routes: [routeTo('q.test', '/', [app.asUpstream()])] });
    const metrics = await metricsOf(router);
    expect(metrics.routes.map((r) => r.host)).toEqual(['q.test']);
    expect(metrics.routes[0]?.counters.requests).toBe(1);
  });
});
