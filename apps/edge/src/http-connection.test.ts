/** How the edge handles client connections: pipelining, keep-alive, half-close, bodiless answers, framing. */
import { describe, expect, it } from 'vitest';
import { routeTo } from './edge-test-harness.js';
import { until, useRawEdgeFixtures } from './raw-edge-fixtures.js';

const { upstream, rawUpstream, edgeWith, client, echoBody } = useRawEdgeFixtures();

describe('HTTP/1.1 connection handling', () => {
  it('answers pipelined requests on one connection in order', async () => {
    const app = await upstream('app', (req, res) => {
      // The first answers last if the router were to run them side by side.
      setTimeout(() => res.end(`answer to ${req.url}`), req.url === '/1' ? 50 : 0);
    });
    const edge = await edgeWith([routeTo('p.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send(
      'GET /1 HTTP/1.1\r\nHost: p.test\r\n\r\n' +
        'POST /2 HTTP/1.1\r\nHost: p.test\r\nContent-Length: 4\r\n\r\nbody' +
        'GET /3 HTTP/1.1\r\nHost: p.test\r\n\r\nGET /4 HTTP/1.1\r\nHost: p.test\r\n\r\n',
    );
    const responses = await raw.responses(4);
    expect(responses.map((response) => response.body)).toEqual([
      'answer to /1',
      'answer to /2',
      'answer to /3',
      'answer to /4',
    ]);
    expect(responses.map((response) => response.headers.connection)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(raw.isClosed).toBe(false);
  });

  it('reads a request head that arrives in many packets', async () => {
    const app = await upstream('app');
    const edge = await edgeWith([routeTo('split.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.socket.setNoDelay(true);
    for (const piece of ['\r\nGET /spl', 'it HTTP/1.1\r', '\nHost: split.test\r\n', '\r', '\n']) {
      raw.send(piece);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [response] = await raw.responses(1);
    expect(JSON.parse(response?.body ?? '{}')).toMatchObject({ url: '/split' });
  });

  it('keeps one client connection alive across many requests', async () => {
    const app = await upstream('app');
    const edge = await edgeWith([routeTo('ka.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    for (let i = 1; i <= 50; i += 1) {
      raw.send(`GET /n/${i} HTTP/1.1\r\nHost: ka.test\r\n\r\n`);
      const responses = await raw.responses(i);
      expect(responses[i - 1]?.statusCode).toBe(200);
      expect(JSON.parse(responses[i - 1]?.body ?? '{}')).toMatchObject({ url: `/n/${i}` });
    }
    expect(raw.isClosed).toBe(false);
    expect(app.requests).toHaveLength(50);
    expect(app.connectionCount).toBe(1);
  });

  it('still answers a client that half-closes after its request, then closes', async () => {
    const app = await echoBody('app');
    const edge = await edgeWith([routeTo('half.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send('POST /half HTTP/1.1\r\nHost: half.test\r\nContent-Length: 2\r\n\r\nhi');
    raw.socket.end();
    const [response] = await raw.responses(1);
    expect(response).toMatchObject({ statusCode: 200, body: 'POST /half hi' });
    expect(response?.headers.connection).toBe('close');
    await raw.closed;
  });

  it('answers every pipelined request of a client that half-closed after sending them, the last with a close', async () => {
    const app = await echoBody('app');
    const edge = await edgeWith([routeTo('half.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send(
      'POST /one HTTP/1.1\r\nHost: half.test\r\nContent-Length: 1\r\n\r\n1' +
        'POST /two HTTP/1.1\r\nHost: half.test\r\nContent-Length: 1\r\n\r\n2',
    );
    raw.socket.end();
    const [first, second] = await raw.responses(2);
    expect(first).toMatchObject({ statusCode: 200, body: 'POST /one 1' });
    expect(second).toMatchObject({ statusCode: 200, body: 'POST /two 2' });
    expect(second?.headers.connection).toBe('close');
    await raw.closed;
  });

  it('sends no body for HEAD, even with a Content-Length, and carries on with the next request', async () => {
    const app = await rawUpstream('app', (connection, head) => {
      const body = head.startsWith('HEAD') ? '' : 'body of /b';
      connection.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n${body}`);
    });
    const edge = await edgeWith([routeTo('head.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send('HEAD /a HTTP/1.1\r\nHost: head.test\r\n\r\nGET /b HTTP/1.1\r\nHost: head.test\r\n\r\n');
    const [head, get] = await raw.responses(2, ['HEAD', 'GET']);
    expect(head).toMatchObject({ statusCode: 200, body: '' });
    expect(head?.headers['content-length']).toBe('10');
    expect(get).toMatchObject({ statusCode: 200, body: 'body of /b' });
    expect(app.connections).toHaveLength(1);
  });

  it('sends no body for 204 and 304, and carries on with the next request', async () => {
    const app = await rawUpstream('app', (connection, head) => {
      if (head.startsWith('GET /204')) connection.socket.write('HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n');
      else if (head.startsWith('GET /304')) connection.socket.write('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n');
      else connection.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast');
    });
    const edge = await edgeWith([routeTo('nb.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send(
      'GET /204 HTTP/1.1\r\nHost: nb.test\r\n\r\nGET /304 HTTP/1.1\r\nHost: nb.test\r\n\r\n' +
        'GET /200 HTTP/1.1\r\nHost: nb.test\r\n\r\n',
    );
    const responses = await raw.responses(3);
    expect(responses.map((response) => [response.statusCode, response.body])).toEqual([
      [204, ''],
      [304, ''],
      [200, 'last'],
    ]);
    expect(responses[1]?.headers.etag).toBe('"x"');
    expect(app.connections).toHaveLength(1);
  });

  it('passes 100 Continue through, and the body sent after it', async () => {
    const app = await echoBody('app');
    const edge = await edgeWith([routeTo('cont.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send('PUT /upload HTTP/1.1\r\nHost: cont.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    const [interim] = await raw.responses(1);
    expect(interim?.statusCode).toBe(100);
    raw.send('hello');
    const responses = await raw.responses(2);
    expect(responses[1]).toMatchObject({ statusCode: 200, body: 'PUT /upload hello' });
  });

  it('brings a chunked request body to the upstream intact, extensions and trailers included', async () => {
    let received = '';
    const app = await upstream('app', (req, res) => {
      req.setEncoding('latin1');
      req.on('data', (chunk: string) => (received += chunk));
      req.on('end', () => res.end(`got ${received}`));
    });
    const edge = await edgeWith([routeTo('ch.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    // Each piece is sent once the upstream holds the one before: the framing is cut mid-data and mid-size.
    raw.send('POST /c HTTP/1.1\r\nHost: ch.test\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhel');
    await until(() => received === 'hel');
    raw.send('lo\r\n0');
    await until(() => received === 'hello');
    raw.send('b\r\n world and \r\n0\r\nX-Checksum: 42\r\n\r\n');
    const [response] = await raw.responses(1);
    expect(response).toMatchObject({ statusCode: 200, body: 'got hello world and ' });
    expect(app.requests[0]?.headers['transfer-encoding']).toBe('chunked');
    expect(app.requests[0]?.trailers).toEqual({ 'x-checksum': '42' });
  });

  it('decodes a chunked response for an HTTP/1.0 client and closes the connection after it', async () => {
    const app = await upstream('app', (_req, res) => {
      res.write('one,');
      res.write('two,');
      res.end('three');
    });
    const edge = await edgeWith([routeTo('old.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send('GET / HTTP/1.0\r\nHost: old.test\r\nConnection: keep-alive\r\n\r\n');
    await raw.closed;
    const [response] = await raw.responses(1);
    expect(response).toMatchObject({ statusCode: 200, body: 'one,two,three' });
    expect(response?.headers['transfer-encoding']).toBeUndefined();
    expect(response?.headers['content-length']).toBeUndefined();
    expect(response?.headers.connection).toBe('close');
  });

  it('keeps an HTTP/1.0 client that asks for keep-alive when the length is known', async () => {
    const app = await upstream('app', (_req, res) => res.end('known'));
    const edge = await edgeWith([routeTo('old.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send('GET / HTTP/1.0\r\nHost: old.test\r\nConnection: keep-alive\r\n\r\n');
    const [response] = await raw.responses(1);
    expect(response).toMatchObject({ statusCode: 200, body: 'known' });
    expect(response?.head.startsWith('HTTP/1.1 200')).toBe(true);
    expect(response?.headers.connection).toBe('keep-alive');
    raw.send('GET / HTTP/1.0\r\nHost: old.test\r\n\r\n');
    await raw.closed;
    expect((await raw.responses(2))[1]?.headers.connection).toBe('close');
  });

  it('passes a close-delimited response through whole and closes the client connection after it', async () => {
    const payload = 'x'.repeat(100_000);
    const app = await rawUpstream('app', (connection) => {
      connection.socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n');
      connection.socket.write(payload.slice(0, 50_000));
      setTimeout(() => connection.socket.end(payload.slice(50_000)), 10);
    });
    const edge = await edgeWith([routeTo('cd.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send('GET / HTTP/1.1\r\nHost: cd.test\r\n\r\n');
    await raw.closed;
    const [response] = await raw.responses(1);
    expect(response?.statusCode).toBe(200);
    expect(response?.body).toBe(payload);
    expect(response?.headers.connection).toBe('close');
  });
});
