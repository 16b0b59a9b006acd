/**
 * A wakeable route (scale to zero) through a real edge router: requests held while it has no upstream, one wake
 * signal, released whole to the instance a table brings; beyond the bounds or the hold time, a 503 with Retry-After.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ColdStartHold, EdgeMetrics, WakesAnswer } from '@slipway/contract';
import {
  removeDir,
  routeTo,
  send,
  startTestEdge,
  startUpstream,
  type TestEdge,
  type TestUpstream,
} from './edge-test-harness.js';

const hold = (changes: Partial<ColdStartHold> = {}): ColdStartHold => ({
  holdTimeoutMs: 30_000,
  maxHeldRequests: 100,
  maxHeldBytes: 1_048_576,
  ...changes,
});

describe('a wakeable route without an instance', () => {
  let edge: TestEdge | undefined;
  let upstream: TestUpstream | undefined;

  afterEach(async () => {
    await edge?.close();
    await upstream?.close();
    if (edge !== undefined) await removeDir(edge.stateDir);
    edge = undefined;
    upstream = undefined;
  });

  const start = async (coldStart: ColdStartHold) => {
    // Echoes the method, path and body it got, so a held body is seen to arrive whole.
    upstream = await startUpstream('app', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => res.end(`${req.method ?? ''} ${req.url ?? ''} ${Buffer.concat(chunks).toString('utf8')}`));
    });
    edge = await startTestEdge({ table: { routes: [{ ...routeTo('shop.test', '/', []), coldStart }] } });
    return edge;
  };
  const coldCounters = async (testEdge: TestEdge) => {
    const metrics = JSON.parse((await testEdge.admin('GET', '/metrics')).body) as EdgeMetrics;
    return metrics.routes.find((r) => r.host === 'shop.test')?.coldStart;
  };
  const untilHolding = async (testEdge: TestEdge, count: number): Promise<void> => {
    while (((await coldCounters(testEdge))?.holding ?? 0) < count) await new Promise((r) => setTimeout(r, 10));
  };
  const wakeUp = async (testEdge: TestEdge): Promise<void> => {
    const table = { routes: [{ ...routeTo('shop.test', '/', [upstream!.asUpstream()]), coldStart: hold() }] };
    expect((await testEdge.putTable(table)).statusCode).toBe(200);
  };

  it('holds every request, asks for one wake, and hands them all to the instance that comes, bodies whole', async () => {
    const testEdge = await start(hold());
    const gets = Array.from({ length: 8 }, (_, i) =>
      send({ port: testEdge.port, path: `/get/${i}`, headers: { host: 'shop.test' } }),
    );
    const post = send({
      port: testEdge.port,
      method: 'POST',
      path: '/order',
      headers: { host: 'shop.test', 'content-type': 'text/plain', 'content-length': '11' },
      body: 'two widgets',
    });
    await untilHolding(testEdge, 9);
    const wakes = JSON.parse((await testEdge.admin('GET', '/wakes?waitMs=0')).body) as WakesAnswer;

    await wakeUp(testEdge);
    const answers = await Promise.all([...gets, post]);

    expect(wakes.wakes).toEqual([{ app: 'shop-test', environment: 'production', process: 'web' }]);
    expect(answers.map((a) => a.statusCode)).toEqual(Array.from({ length: 9 }, () => 200));
    expect(answers.at(-1)?.body).toBe('POST /order two widgets');
    expect(upstream?.requests).toHaveLength(9);
    const counters = await coldCounters(testEdge);
    expect(counters).toMatchObject({ held: 9, holding: 0, wakes: 1, refused: 0, timedOut: 0 });
    expect(counters?.wakeDuration.reduce((sum, count) => sum + count, 0)).toBe(1);
  });

  it('answers 503 with Retry-After at once beyond its count, and keeps those it holds', async () => {
    const testEdge = await start(hold({ maxHeldRequests: 2 }));
    const held = [0, 1].map((i) => send({ port: testEdge.port, path: `/${i}`, headers: { host: 'shop.test' } }));
    await untilHolding(testEdge, 2);

    const refused = await send({ port: testEdge.port, path: '/2', headers: { host: 'shop.test' } });
    await wakeUp(testEdge);

    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toContain('is starting');
    expect((await Promise.all(held)).map((a) => a.statusCode)).toEqual([200, 200]);
    expect(await coldCounters(testEdge)).toMatchObject({ held: 2, refused: 1 });
  });

  it('answers 503 for a body beyond its bytes', async () => {
    const testEdge = await start(hold({ maxHeldBytes: 1024 }));
    const body = 'x'.repeat(4_000);
    const refused = await send({
      port: testEdge.port,
      method: 'POST',
      headers: { host: 'shop.test', 'content-length': String(body.length) },
      body,
    });

    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(await coldCounters(testEdge)).toMatchObject({ holding: 0, refused: 1 });
  });

  it('answers 503 with Retry-After once the hold time passes without an instance, never hanging', async () => {
    const testEdge = await start(hold({ holdTimeoutMs: 200 }));

    const answer = await send({ port: testEdge.port, headers: { host: 'shop.test' } });

    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.body).toContain('did not come up within the time the router holds a request');
    expect(await coldCounters(testEdge)).toMatchObject({ held: 1, timedOut: 1, holding: 0 });
  });

  it('answers a waiting GET /wakes when a request is held, and refuses a bad wait', async () => {
    const testEdge = await start(hold());
    const waiting = testEdge.admin('GET', '/wakes?waitMs=30000');
    const request = send({ port: testEdge.port, headers: { host: 'shop.test' } });

    const answer = JSON.parse((await waiting).body) as WakesAnswer;
    const empty = JSON.parse((await testEdge.admin('GET', '/wakes?waitMs=0')).body) as WakesAnswer;
    const bad = await testEdge.admin('GET', '/wakes?waitMs=soon');
    await wakeUp(testEdge);

    expect(answer.wakes).toEqual([{ app: 'shop-test', environment: 'production', process: 'web' }]);
    expect(empty.wakes).toEqual([]);
    expect(bad.statusCode).toBe(400);
    expect((await request).statusCode).toBe(200);
  });

  it('answers 503 at once, without holding, on a route that does not scale to zero', async () => {
    upstream = await startUpstream('app');
    edge = await startTestEdge({ table: { routes: [routeTo('shop.test', '/', [])] } });

    const answer = await send({ port: edge.port, headers: { host: 'shop.test' } });

    expect(answer.statusCode).toBe(503);
    expect(answer.body).toContain('has no healthy instance');
  });
});
