import { createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RouteEntry } from '@slipway/contract';
import { createEdgeRouterTable } from './edge-router-table.js';
import {
  edgeEntry,
  freePort,
  newStateDir,
  silentLogger,
  startedRouters,
  useEdgeRouterFixtures,
} from './edge-router-test-fixtures.js';

useEdgeRouterFixtures();

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** An instance of `releaseNumber`: answers 200, or 404 to a path starting with `/missing` (a 5xx would eject it). */
async function instance(releaseNumber: number): Promise<RouteEntry['upstreams'][number]> {
  const server = createServer((req, res) => {
    res.writeHead(req.url?.startsWith('/missing') === true ? 404 : 200);
    res.end(`release ${releaseNumber}`);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { instanceId: `i-${releaseNumber}`, host: '127.0.0.1', port, releaseNumber, weight: 1 };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: 'shop.test' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the edge router table’s counters', () => {
  it('reads per-release counters from a real router after real requests under a traffic split', async () => {
    const stateDir = await newStateDir();
    const port = await freePort();
    const routerTable = createEdgeRouterTable({
      stateDir,
      listen: { host: '127.0.0.1', port },
      edgeEntry,
      logger: silentLogger,
    });
    await routerTable.ensureRunning();
    startedRouters.set((await routerTable.status()).pid ?? -1, stateDir);
    await routerTable.apply({
      routes: [
        {
          host: 'shop.test',
          pathPrefix: '/',
          app: 'shop',
          environment: 'production',
          process: 'web',
          timeoutMs: null,
          upstreams: [await instance(7), await instance(8)],
          split: {
            releases: [
              { releaseNumber: 7, weight: 80 },
              { releaseNumber: 8, weight: 20 },
            ],
            stickyCookie: null,
          },
        },
      ],
    });

    for (let i = 0; i < 90; i += 1) await get(port, '/');
    for (let i = 0; i < 10; i += 1) await get(port, '/missing');

    const metrics = await routerTable.metrics();
    const release = (number: number) => metrics.releases.find((r) => r.releaseNumber === number)?.counters;
    expect(metrics.routes.find((r) => r.host === 'shop.test')?.counters.requests).toBe(100);
    expect(release(7)?.requests).toBe(80);
    expect(release(8)?.requests).toBe(20);
    // The 404s came last, two in ten of them to release 8: the split is exact, so are these.
    expect(release(7)?.status).toEqual({ '2xx': 72, '3xx': 0, '4xx': 8, '5xx': 0 });
    expect(release(8)?.status).toEqual({ '2xx': 18, '3xx': 0, '4xx': 2, '5xx': 0 });
    for (const number of [7, 8]) {
      const counters = release(number);
      expect(counters?.latency.reduce((sum, count) => sum + count, 0)).toBe(counters?.requests);
      expect(counters?.latency).toHaveLength(metrics.latencyBucketsUs.length + 1);
    }
    await routerTable.stop();
  });
});
