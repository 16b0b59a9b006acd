/**
 * Reuse of upstream connections: a connection goes back to the pool only flowing and clean, whatever the size of
 * the response it carried; and a request the upstream may have received is not sent twice unless it is idempotent.
 */
import { describe, expect, it } from 'vitest';
import { routeTo } from './edge-test-harness.js';
import { useRawEdgeFixtures } from './raw-edge-fixtures.js';
import type { RawUpstreamConnection } from './raw-http-client.js';

const { upstream, rawUpstream, edgeWith, client } = useRawEdgeFixtures();

/** Response sizes an ordinary app serves, around the 16 KiB a socket buffers before its write returns false. */
const pageSizes = [0, 1, 2_000, 16_383, 16_384, 16_385, 32 * 1024, 100_000, 1024 * 1024];

describe('reusing upstream connections', () => {
  it('serves many sequential requests of every size over one pooled connection of an ordinary node:http app', async () => {
    const app = await upstream('pages', (req, res) => {
      const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size'));
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('x'.repeat(size));
    });
    // A connection the router left paused would make the next request wait for this timeout: a 504.
    const edge = await edgeWith([routeTo('pages.test', '/', [app.asUpstream()], 3_000)]);
    const raw = await client(edge);
    const sizes = [...pageSizes, ...pageSizes.slice().reverse(), 32 * 1024, 32 * 1024, 32 * 1024];
    const statuses: number[] = [];
    const lengths: number[] = [];
    for (const [index, size] of sizes.entries()) {
      raw.send(`GET /page?size=${size} HTTP/1.1\r\nHost: pages.test\r\n\r\n`);
      const response = (await raw.responses(index + 1))[index];
      statuses.push(response?.statusCode ?? 0);
      lengths.push(response?.body.length ?? -1);
    }
    expect(statuses).toEqual(sizes.map(() => 200));
    expect(lengths).toEqual(sizes);
    expect(app.requests).toHaveLength(sizes.length);
    // One connection carried them all: it came back to the pool each time, usable.
    expect(app.connectionCount).toBe(1);
  });

  it('serves a 32 KiB page to several clients in turn over the same pooled connection', async () => {
    const app = await upstream('page', (_req, res) => res.end('p'.repeat(32 * 1024)));
    const edge = await edgeWith([routeTo('page.test', '/', [app.asUpstream()], 3_000)]);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const raw = await client(edge);
      raw.send('GET / HTTP/1.1\r\nHost: page.test\r\nConnection: close\r\n\r\n');
      await raw.closed;
      statuses.push((await raw.responses(1))[0]?.statusCode ?? 0);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(app.connectionCount).toBe(1);
  });
});

describe('retrying on a reused connection the upstream closed', () => {
  /** Answers the first request of each connection, then closes the connection on the next one without answering. */
  function answerOnceThenClose(connection: RawUpstreamConnection): void {
    if (connection.heads.length === 1) connection.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    else connection.socket.destroy();
  }

  it.each(['POST', 'PATCH', 'LOCK'])(
    'does not send a %s twice: it answers 502 and the upstream saw it once',
    async (method) => {
      const app = await rawUpstream('app', answerOnceThenClose);
      const raw = await client(await edgeWith([routeTo('r.test', '/', [app.asUpstream()])]));
      raw.send('GET /first HTTP/1.1\r\nHost: r.test\r\n\r\n');
      expect((await raw.responses(1))[0]?.statusCode).toBe(200);
      raw.send(`${method} /once HTTP/1.1\r\nHost: r.test\r\n\r\n`);
      expect((await raw.responses(2))[1]?.statusCode).toBe(502);
      const heads = app.connections.flatMap((connection) => connection.heads);
      expect(heads.filter((head) => head.startsWith(`${method} /once `))).toHaveLength(1);
    },
  );

  it.each(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT'])(
    'sends an idempotent %s without a body again on a fresh connection',
    async (method) => {
      const app = await rawUpstream('app', answerOnceThenClose);
      const raw = await client(await edgeWith([routeTo('r.test', '/', [app.asUpstream()])]));
      raw.send('GET /first HTTP/1.1\r\nHost: r.test\r\n\r\n');
      expect((await raw.responses(1))[0]?.statusCode).toBe(200);
      raw.send(`${method} /again HTTP/1.1\r\nHost: r.test\r\n\r\n`);
      expect((await raw.responses(2, ['GET', method]))[1]?.statusCode).toBe(200);
      const heads = app.connections.flatMap((connection) => connection.heads);
      expect(heads.filter((head) => head.startsWith(`${method} /again `))).toHaveLength(2);
      expect(app.connections).toHaveLength(2);
    },
  );
});
