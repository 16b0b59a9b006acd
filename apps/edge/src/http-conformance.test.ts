import { mkdtemp, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RouteEntry } from '@slipway/contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  removeDir,
  routeTo,
  startTestEdge,
  startUpstream,
  type TestEdge,
  type TestEdgeOptions,
  type TestUpstream,
} from './edge-test-harness.js';
import {
  connectRawClient,
  startRawUpstream,
  type RawHttpClient,
  type RawUpstreamConnection,
} from './raw-http-client.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstream(name: string, handler?: (req: IncomingMessage, res: ServerResponse) => void) {
  const started = await startUpstream(name, handler);
  cleanups.push(() => started.close());
  return started;
}

async function rawUpstream(name: string, onHead: (connection: RawUpstreamConnection, head: string) => void) {
  const started = await startRawUpstream(name, onHead);
  cleanups.push(() => started.close());
  return started;
}

async function edgeWith(routes: RouteEntry[], options: TestEdgeOptions = {}): Promise<TestEdge> {
  const edge = await startTestEdge({ ...options, table: { routes } });
  cleanups.push(async () => {
    await edge.close();
    await removeDir(edge.stateDir);
  });
  return edge;
}

async function client(edge: TestEdge): Promise<RawHttpClient> {
  const connected = await connectRawClient(edge.port);
  cleanups.push(async () => {
    connected.socket.destroy();
  });
  return connected;
}

/** An upstream answering `<method> <url> <body>` once the request body is complete. */
function echoBody(name: string): Promise<TestUpstream> {
  return upstream(name, (req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
  });
}

/** Polls `condition` until it holds (5 s at most). */
async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; !condition(); attempt += 1) {
    if (attempt > 250) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `Name: value` lines of a raw head, the request or status line left out. */
function fieldsOf(head: string): string[] {
  return head.split('\r\n').slice(1);
}

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

describe('what crosses the router', () => {
  it('routes an absolute-form target by its authority; the upstream gets the origin form and that host', async () => {
    const [a, b] = await Promise.all([upstream('a'), upstream('b')]);
    const edge = await edgeWith([routeTo('a.test', '/', [a.asUpstream()]), routeTo('b.test', '/', [b.asUpstream()])]);
    const raw = await client(edge);
    raw.send(
      'GET http://a.test/x?y=1 HTTP/1.1\r\nHost: a.test\r\n\r\n' +
        'GET HTTP://A.TEST HTTP/1.1\r\nHost: a.test\r\n\r\n' +
        'GET http://a.test:8080?q HTTP/1.1\r\nHost: b.test\r\n\r\n',
    );
    const echoes = (await raw.responses(3)).map(
      (response) => JSON.parse(response.body) as { name: string; url: string; headers: Record<string, string> },
    );
    expect(echoes.map((echo) => [echo.name, echo.url])).toEqual([
      ['a', '/x?y=1'],
      ['a', '/'],
      ['a', '/?q'],
    ]);
    // The authority of the target wins over the Host field (RFC 9112 §3.2.2): the app sees the host it is routed for.
    expect(echoes[2]?.headers.host).toBe('a.test:8080');
    expect(echoes[2]?.headers['x-forwarded-host']).toBe('a.test:8080');
    expect(b.requests).toHaveLength(0);
  });

  it('sends the query string to the upstream but keeps it out of the access log', async () => {
    const app = await upstream('app');
    const stateDir = await mkdtemp(join(tmpdir(), 'slipway-edge-'));
    const accessLogFile = join(stateDir, 'access.log');
    const edge = await startTestEdge({
      stateDir,
      accessLogFile,
      table: { routes: [routeTo('q.test', '/', [app.asUpstream()])] },
    });
    cleanups.push(() => removeDir(stateDir));
    const raw = await client(edge);
    raw.send(
      'GET /items?token=s3cret HTTP/1.1\r\nHost: q.test\r\n\r\nGET http://q.test/abs?token=s3cret HTTP/1.1\r\n\r\n',
    );
    const responses = await raw.responses(2);
    expect(responses.map((response) => (JSON.parse(response.body) as { url: string }).url)).toEqual([
      '/items?token=s3cret',
      '/abs?token=s3cret',
    ]);
    await edge.close();
    const log = await readFile(accessLogFile, 'utf8');
    expect(log).not.toContain('s3cret');
    const paths = log
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { path: string }).path);
    expect(paths).toEqual(['/items', '/abs']);
  });

  it('drops hop-by-hop fields, and those Connection names, both ways', async () => {
    const app = await rawUpstream('app', (connection) =>
      connection.socket.write(
        'HTTP/1.1 200 OK\r\nConnection: X-Internal, keep-alive\r\nX-Internal: secret\r\nKeep-Alive: timeout=5\r\n' +
          'Proxy-Connection: keep-alive\r\nProxy-Authenticate: Basic\r\nUpgrade: h2c\r\nX-Kept: yes\r\n' +
          'Content-Length: 2\r\n\r\nok',
      ),
    );
    const edge = await edgeWith([routeTo('hop.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send(
      'GET / HTTP/1.1\r\nHost: hop.test\r\nConnection: keep-alive, X-Hop, te\r\nX-Hop: 1\r\nKeep-Alive: timeout=9\r\n' +
        'TE: trailers\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\nUpgrade: h2c\r\n' +
        'X-Also-Kept: yes\r\n\r\n',
    );
    const [response] = await raw.responses(1);
    expect(response?.statusCode).toBe(200);
    const sent = fieldsOf(app.connections[0]?.heads[0] ?? '').map((line) =>
      line.slice(0, line.indexOf(':')).toLowerCase(),
    );
    expect(sent).toContain('x-also-kept');
    for (const name of [
      'connection',
      'x-hop',
      'keep-alive',
      'te',
      'proxy-connection',
      'proxy-authorization',
      'upgrade',
    ])
      expect(sent).not.toContain(name);
    expect(Object.keys(response?.headers ?? {}).sort()).toEqual(['content-length', 'x-kept']);
  });

  it('appends the client address to X-Forwarded-For, in one field', async () => {
    const app = await rawUpstream('app', (connection) =>
      connection.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    );
    const edge = await edgeWith([routeTo('xff.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send(
      'GET / HTTP/1.1\r\nHost: xff.test\r\nX-Forwarded-For: 203.0.113.9\r\nx-forwarded-for: 198.51.100.1\r\n' +
        'X-Forwarded-Proto: gopher\r\n\r\n',
    );
    await raw.responses(1);
    const fields = fieldsOf(app.connections[0]?.heads[0] ?? '');
    expect(fields.filter((line) => line.toLowerCase().startsWith('x-forwarded-for:'))).toEqual([
      'X-Forwarded-For: 203.0.113.9, 198.51.100.1, 127.0.0.1',
    ]);
    expect(fields.filter((line) => line.toLowerCase().startsWith('x-forwarded-proto:'))).toEqual([
      'X-Forwarded-Proto: http',
    ]);
  });

  it('passes field values byte for byte, bytes above 0x7f included, both ways', async () => {
    const utf8 = Buffer.from('café ☃', 'utf8').toString('latin1');
    const app = await rawUpstream('app', (connection) =>
      connection.socket.write(
        Buffer.from(`HTTP/1.1 200 OK\r\nX-Reply: ${utf8}\r\nContent-Length: 0\r\n\r\n`, 'latin1'),
      ),
    );
    const edge = await edgeWith([routeTo('bytes.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send(`GET / HTTP/1.1\r\nHost: bytes.test\r\nX-Name: ${utf8}\r\n\r\n`);
    const [response] = await raw.responses(1);
    expect(fieldsOf(app.connections[0]?.heads[0] ?? '')).toContain(`X-Name: ${utf8}`);
    expect(response?.headers['x-reply']).toBe(utf8);
  });
});
