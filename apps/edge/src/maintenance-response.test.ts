/** A route in maintenance, through a real edge router: answered by the router itself, its upstream never asked. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  removeDir,
  routeTo,
  send,
  startTestEdge,
  startUpstream,
  type TestEdge,
  type TestUpstream,
} from './edge-test-harness.js';

describe('a route in maintenance', () => {
  let edge: TestEdge | undefined;
  let upstream: TestUpstream | undefined;

  afterEach(async () => {
    await edge?.close();
    await upstream?.close();
    if (edge !== undefined) await removeDir(edge.stateDir);
  });

  const start = async (maintenance: { retryAfterSeconds: number; page: string | null } | undefined) => {
    upstream = await startUpstream('app');
    const route = routeTo('shop.test', '/', [upstream.asUpstream()]);
    edge = await startTestEdge({ table: { routes: [maintenance === undefined ? route : { ...route, maintenance }] } });
    return edge;
  };

  it("answers 503 with Retry-After and the app's page, keeping the connection, and never asks the upstream", async () => {
    const { port } = await start({ retryAfterSeconds: 120, page: '<h1>Back at noon</h1>' });

    const answer = await send({ port, headers: { host: 'shop.test' } });
    const head = await send({ port, method: 'HEAD', headers: { host: 'shop.test' } });

    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('120');
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['x-request-id']).toEqual(expect.any(String));
    expect(answer.body).toBe('<h1>Back at noon</h1>');
    expect(head.statusCode).toBe(503);
    expect(head.body).toBe('');
    expect(upstream?.requests).toHaveLength(0);
  });

  it('serves its own page naming the app when the app set none', async () => {
    const { port } = await start({ retryAfterSeconds: 60, page: null });

    const answer = await send({ port, headers: { host: 'shop.test' } });

    expect(answer.statusCode).toBe(503);
    expect(answer.body).toContain('shop-test is down for maintenance');
    expect(answer.body).toContain('about 1 minute');
  });

  it('serves the app again once the table has no maintenance', async () => {
    const started = await start({ retryAfterSeconds: 60, page: null });
    const route = routeTo('shop.test', '/', upstream === undefined ? [] : [upstream.asUpstream()]);

    expect((await started.putTable({ routes: [route] })).statusCode).toBe(200);

    expect((await send({ port: started.port, headers: { host: 'shop.test' } })).statusCode).toBe(200);
  });
});
