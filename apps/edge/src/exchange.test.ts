import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closedPort,
  echoOf,
  removeDir,
  routeTo,
  send,
  startTestEdge,
  startUpstream,
  type TestEdge,
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

async function edgeWith(...routes: Parameters<typeof routeTo>[]): Promise<TestEdge> {
  const edge = await startTestEdge({ table: { routes: routes.map((args) => routeTo(...args)) } });
  cleanups.push(async () => {
    await edge.close();
    await removeDir(edge.stateDir);
  });
  return edge;
}

describe('proxying plain HTTP', () => {
  it('routes by host and by the longest path prefix', async () => {
    const [web, api, other] = await Promise.all([upstream('web'), upstream('api'), upstream('other')]);
    const edge = await edgeWith(
      ['app.test', '/', [web.asUpstream()]],
      ['app.test', '/api', [api.asUpstream()]],
      ['other.test', '/', [other.asUpstream()]],
    );

    const get = async (host: string, path: string) =>
      echoOf(await send({ port: edge.port, path, headers: { host } })).name;
    expect(await get('app.test', '/')).toBe('web');
    expect(await get('App.Test:80', '/api/users?page=2')).toBe('api');
    expect(await get('app.test', '/apix')).toBe('web');
    expect(await get('other.test', '/api')).toBe('other');
  });

  it('routes subdomains through a wildcard host', async () => {
    const previews = await upstream('previews');
    const edge = await edgeWith(['*.preview.test', '/', [previews.asUpstream()]]);
    const response = await send({ port: edge.port, path: '/', headers: { host: 'pr-42.preview.test' } });
    expect(echoOf(response).name).toBe('previews');
  });

  it('answers an unknown host with a 404 page saying no app is routed there', async () => {
    const edge = await edgeWith();
    const html = await send({
      port: edge.port,
      headers: { host: 'nowhere.test', accept: 'text/html,application/xhtml+xml' },
    });
    expect(html.statusCode).toBe(404);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('No app is routed for nowhere.test');

    const plain = await send({ port: edge.port, headers: { host: 'nowhere.test', accept: 'application/json' } });
    expect(plain.statusCode).toBe(404);
    expect(plain.headers['content-type']).toContain('text/plain');
    expect(plain.body).toContain('No app is routed for nowhere.test');
  });

  it('answers 503 with Retry-After when the route has no upstream', async () => {
    const edge = await edgeWith(['empty.test', '/', []]);
    const response = await send({ port: edge.port, headers: { host: 'empty.test' } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
  });

  it('never sends to an upstream of weight 0 and spreads traffic over the others', async () => {
    const [drained, blue, green] = await Promise.all([upstream('drained'), upstream('blue'), upstream('green')]);
    const edge = await edgeWith(['w.test', '/', [drained.asUpstream(0), blue.asUpstream(1), green.asUpstream(1)]]);
    for (let i = 0; i < 20; i += 1) await send({ port: edge.port, headers: { host: 'w.test' } });
    expect(drained.requests).toHaveLength(0);
    expect(blue.requests.length).toBeGreaterThan(0);
    expect(green.requests.length).toBeGreaterThan(0);
    expect(blue.requests.length + green.requests.length).toBe(20);
  });

  it('tells the upstream who asked: X-Forwarded-* and a request id, Host kept', async () => {
    const app = await upstream('app');
    const edge = await edgeWith(['fwd.test', '/', [app.asUpstream()]]);
    const echo = echoOf(
      await send({
        port: edge.port,
        headers: {
          host: 'fwd.test',
          'x-forwarded-for': '203.0.113.7',
          'keep-alive': 'timeout=1',
          'proxy-authorization': 'secret',
        },
      }),
    );
    expect(echo.headers.host).toBe('fwd.test');
    // The client is no trusted proxy: its own claim is dropped.
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    expect(echo.headers['x-forwarded-host']).toBe('fwd.test');
    expect(echo.headers['x-forwarded-port']).toBe(String(edge.port));
    expect(echo.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(echo.headers['proxy-authorization']).toBeUndefined();

    const kept = echoOf(await send({ port: edge.port, headers: { host: 'fwd.test', 'x-request-id': 'abc-123' } }));
    expect(kept.headers['x-request-id']).toBe('abc-123');
  });

  it('streams the request body to the upstream before the client has finished sending it', async () => {
    let firstChunkSeen: () => void = () => undefined;
    const firstChunk = new Promise<void>((resolve) => (firstChunkSeen = resolve));
    const app = await upstream('sink', (req, res) => {
      let received = '';
      req.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        firstChunkSeen();
      });
      req.on('end', () => res.end(`got ${received}`));
    });
    const edge = await edgeWith(['up.test', '/', [app.asUpstream()]]);

    const answer = new Promise<string>((resolve, reject) => {
      const req = request(
        {
          port: edge.port,
          method: 'POST',
          path: '/upload',
          headers: { host: 'up.test', 'transfer-encoding': 'chunked' },
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.write('first,');
      // Only once the upstream holds the first chunk does the client send the rest.
      void firstChunk.then(() => req.end('second'));
    });
    expect(await answer).toBe('got first,second');
  });

  it('streams a chunked response back before the upstream has completed it', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const app = await upstream('stream', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      void released.then(() => res.end('data: two\n\n'));
    });
    const edge = await edgeWith(['sse.test', '/', [app.asUpstream()]]);

    const chunks = await new Promise<string[]>((resolve, reject) => {
      const received: string[] = [];
      const req = request({ port: edge.port, path: '/events', headers: { host: 'sse.test' }, agent: false }, (res) => {
        expect(res.headers['transfer-encoding']).toBe('chunked');
        res.on('data', (chunk: Buffer) => {
          received.push(chunk.toString());
          // The upstream only finishes after the client has seen the first event.
          if (received.length === 1) release();
        });
        res.on('end', () => resolve(received));
      });
      req.on('error', reject);
      req.end();
    });
    expect(chunks.join('')).toBe('data: one\n\ndata: two\n\n');
    expect(chunks[0]).toBe('data: one\n\n');
  });

  it('keeps the codings of a chunked response other than chunked, for the client to undo', async () => {
    const app = await upstream('coded', (_req, res) => {
      // Node frames the body in chunks when the field ends in chunked; the bytes stand for a gzip-coded body.
      res.writeHead(200, { 'transfer-encoding': 'gzip, chunked' });
      res.write('coded-');
      res.end('bytes');
    });
    const edge = await edgeWith(['coded.test', '/', [app.asUpstream()]]);
    const response = await send({ port: edge.port, headers: { host: 'coded.test' } });
    expect(response.headers['transfer-encoding']).toBe('gzip, chunked');
    expect(response.body).toBe('coded-bytes');
  });

  it('reuses keep-alive connections to the upstream across requests', async () => {
    const app = await upstream('pooled');
    const edge = await edgeWith(['ka.test', '/', [app.asUpstream()]]);
    for (let i = 0; i < 10; i += 1)
      expect((await send({ port: edge.port, headers: { host: 'ka.test' } })).statusCode).toBe(200);
    expect(app.requests).toHaveLength(10);
    expect(app.connectionCount).toBeLessThan(10);
  });

  it('keeps the upstream connections when the table is replaced', async () => {
    const app = await upstream('stays');
    const edge = await edgeWith(['ka.test', '/', [app.asUpstream()]]);
    await send({ port: edge.port, headers: { host: 'ka.test' } });
    await edge.putTable({ routes: [routeTo('ka.test', '/', [app.asUpstream()]), routeTo('new.test', '/', [])] });
    await send({ port: edge.port, headers: { host: 'ka.test' } });
    expect(app.connectionCount).toBe(1);
  });

  it('retries a refused connection on another upstream of the route', async () => {
    const alive = await upstream('alive', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.end(`alive got ${body}`));
    });
    const dead = { instanceId: 'dead', host: '127.0.0.1', port: await closedPort(), releaseNumber: 1, weight: 1 };
    const edge = await edgeWith(['retry.test', '/', [dead, alive.asUpstream()]]);
    for (let i = 0; i < 4; i += 1) {
      // The body is not consumed by the failed attempt: the retry delivers it whole.
      const response = await send({
        port: edge.port,
        method: 'POST',
        headers: { host: 'retry.test' },
        body: `payload ${i}`,
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(`alive got payload ${i}`);
    }
    expect(alive.requests).toHaveLength(4);
  });

  it('answers 502 when no upstream of the route can be reached', async () => {
    const dead = { instanceId: 'dead', host: '127.0.0.1', port: await closedPort(), releaseNumber: 1, weight: 1 };
    const edge = await edgeWith(['dead.test', '/', [dead]]);
    const response = await send({ port: edge.port, headers: { host: 'dead.test' } });
    expect(response.statusCode).toBe(502);
  });

  it('answers 504 when the upstream does not answer within the route timeout', async () => {
    const silent = await upstream('silent', () => undefined);
    const edge = await edgeWith(['slow.test', '/', [silent.asUpstream()], 200]);
    const startedAt = Date.now();
    const response = await send({ port: edge.port, headers: { host: 'slow.test' } });
    expect(response.statusCode).toBe(504);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});
