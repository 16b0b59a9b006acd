import { mkdtemp, readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { edgeMetricsSchema, type EdgeMetrics } from '@slipway/contract';
import {
  closedPort,
  echoOf,
  removeDir,
  routeTo,
  send,
  startTestEdge,
  startUpstream,
  type TestEdge,
  type TestEdgeOptions,
  type TestUpstream,
} from './edge-test-harness.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstream(name: string, handler?: Parameters<typeof startUpstream>[1]): Promise<TestUpstream> {
  const started = await startUpstream(name, handler);
  cleanups.push(() => started.close());
  return started;
}

async function edge(options: TestEdgeOptions): Promise<TestEdge> {
  const started = await startTestEdge(options);
  cleanups.push(async () => {
    await started.close();
    await removeDir(started.stateDir);
  });
  return started;
}

const get = (port: number, path = '/') => send({ port, path, headers: { host: 'q.test' } });

async function metricsOf(target: TestEdge): Promise<EdgeMetrics> {
  return edgeMetricsSchema.parse(JSON.parse((await target.admin('GET', '/metrics')).body));
}

async function sequentially(count: number, request: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += 1) await request();
}

describe('router quality', () => {
  it('sends new requests to the upstream with fewer requests in flight', async () => {
    const held: ServerResponse[] = [];
    const slow = await upstream('slow', (_req, res) => held.push(res));
    const fast = await upstream('fast');
    const router = await edge({ table: { routes: [routeTo('q.test', '/', [slow.asUpstream(), fast.asUpstream()])] } });

    const first = get(router.port);
    await waitUntil(() => held.length === 1);
    const names: string[] = [];
    await sequentially(4, async () => names.push(echoOf(await get(router.port)).name));

    // Round-robin alone would have sent two of these to the busy upstream.
    expect(names).toEqual(['fast', 'fast', 'fast', 'fast']);
    for (const res of held) res.end('{}');
    expect((await first).statusCode).toBe(200);
  });

  it('ejects an upstream after consecutive 5xx answers and sends its share to the others', async () => {
    const failing = await upstream('failing', (_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const healthy = await upstream('healthy');
    const router = await edge({
      passiveHealth: { ejectAfterFailures: 3, ejectionCooldownMs: 600_000 },
      table: { routes: [routeTo('q.test', '/', [failing.asUpstream(), healthy.asUpstream()])] },
    });

    await sequentially(12, () => get(router.port));

    expect(failing.requests).toHaveLength(3);
    expect(healthy.requests).toHaveLength(9);
  });

  it('never ejects the last upstream of a route', async () => {
    const failing = await upstream('failing', (_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const router = await edge({
      passiveHealth: { ejectAfterFailures: 2, ejectionCooldownMs: 600_000 },
      table: { routes: [routeTo('q.test', '/', [failing.asUpstream()])] },
    });

    await sequentially(6, () => get(router.port));

    expect(failing.requests).toHaveLength(6);
  });

  it('ejects an upstream that refuses connections, after retrying each request elsewhere', async () => {
    const healthy = await upstream('healthy');
    const dead = { instanceId: 'dead', host: '127.0.0.1', port: await closedPort(), releaseNumber: 1, weight: 1 };
    const router = await edge({
      passiveHealth: { ejectAfterFailures: 2, ejectionCooldownMs: 600_000 },
      table: { routes: [routeTo('q.test', '/', [dead, healthy.asUpstream()])] },
    });

    const statuses: number[] = [];
    await sequentially(10, async () => statuses.push((await get(router.port)).statusCode));

    expect(statuses).toEqual(Array(10).fill(200));
    expect(healthy.requests).toHaveLength(10);
    expect((await metricsOf(router)).routes[0]?.counters.connectErrors).toBe(2);
  });

  it('counts requests per route and per release: status classes and a latency histogram', async () => {
    const app = await upstream('app', (req, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 200);
      res.end('ok');
    });
    const router = await edge({
      table: {
        routes: [routeTo('q.test', '/', [{ ...app.asUpstream(), releaseNumber: 7 }]), routeTo('q.test', '/empty', [])],
      },
    });

    await get(router.port);
    await get(router.port, '/a');
    await get(router.port, '/missing');
    await get(router.port, '/empty');

    const metrics = await metricsOf(router);
    const [root, empty] = metrics.routes;
    expect(root).toMatchObject({ host: 'q.test', pathPrefix: '/', app: 'q-test', environment: 'production' });
    expect(root?.counters).toMatchObject({ requests: 3, status: { '2xx': 2, '3xx': 0, '4xx': 1, '5xx': 0 } });
    expect(root?.counters.latency).toHaveLength(metrics.latencyBucketsUs.length + 1);
    expect(root?.counters.latency.reduce((a, b) => a + b, 0)).toBe(3);
    expect(empty?.counters).toMatchObject({ requests: 1, status: { '5xx': 1 } });
    expect(metrics.releases).toEqual([
      expect.objectContaining({ app: 'q-test', environment: 'production', releaseNumber: 7 }),
    ]);
    expect(metrics.releases[0]?.counters).toMatchObject({ requests: 3, status: { '2xx': 2, '4xx': 1 } });
  });

  it('writes one JSON access log line per request', async () => {
    const app = await upstream('app');
    const stateDir = await mkdtemp(join(tmpdir(), 'slipway-edge-'));
    const accessLogFile = join(stateDir, 'access.log');
    const router = await startTestEdge({
      stateDir,
      accessLogFile,
      table: { routes: [routeTo('q.test', '/api', [{ ...app.asUpstream(), releaseNumber: 3 }])] },
    });
    cleanups.push(() => removeDir(stateDir));

    await get(router.port, '/api/items?page=2');
    await get(router.port, '/elsewhere');
    await router.close();

    const lines = (await readFile(accessLogFile, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      method: 'GET',
      host: 'q.test',
      path: '/api/items',
      status: 200,
      instanceId: 'app',
      release: 3,
    });
    expect(lines[1]).toMatchObject({ path: '/elsewhere', status: 404, instanceId: null, release: null });
    for (const line of lines) {
      expect(line.durationUs).toEqual(expect.any(Number));
      expect(line.bytes).toBeGreaterThan(0);
    }
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let attempt = 0; !condition(); attempt += 1) {
    if (attempt > 250) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
