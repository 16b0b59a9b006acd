import { describe, expect, it } from 'vitest';
import { routeTo, type TestEdge, type TestEdgeOptions } from './edge-test-harness.js';
import { until, useRawEdgeFixtures } from './raw-edge-fixtures.js';
import {
  readResponses,
  type RawHttpClient,
  type RawResponse,
  type RawUpstream,
  type RawUpstreamConnection,
} from './raw-http-client.js';

const fixtures = useRawEdgeFixtures();
const { client } = fixtures;

function rawUpstream(
  onHead: (connection: RawUpstreamConnection, head: string) => void = answerOk,
): Promise<RawUpstream> {
  return fixtures.rawUpstream('app', onHead);
}

function answerOk(connection: RawUpstreamConnection, head: string): void {
  const body = `ok ${head.slice(0, head.indexOf(' HTTP/'))}`;
  connection.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
}

function edgeFor(app: RawUpstream, options: TestEdgeOptions = {}, timeoutMs: number | null = null): Promise<TestEdge> {
  return fixtures.edgeWith([routeTo('h.test', '/', [app.asUpstream()], timeoutMs)], options);
}

/** Everything every connection to the upstream carried. */
function seenBy(app: RawUpstream): string {
  return app.connections.map((connection) => connection.received()).join('');
}

/** The router answered once with `statusCode` and `Connection: close`, then closed the connection. */
async function expectRefused(raw: RawHttpClient, statusCode: number): Promise<RawResponse | undefined> {
  await raw.closed;
  const responses = await raw.responses(1);
  expect(responses.map((response) => response.statusCode)).toEqual([statusCode]);
  expect(responses[0]?.headers.connection).toBe('close');
  return responses[0];
}

const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: h.test\r\n\r\n';

describe('refusing request smuggling', () => {
  it.each([
    ['Content-Length then Transfer-Encoding', 'Content-Length: 4\r\nTransfer-Encoding: chunked'],
    ['Transfer-Encoding then Content-Length', 'Transfer-Encoding: chunked\r\nContent-Length: 4'],
    ['two different Content-Lengths', 'Content-Length: 5\r\nContent-Length: 48'],
    ['Transfer-Encoding with chunked not last', 'Transfer-Encoding: chunked, identity'],
    ['Transfer-Encoding twice', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked'],
    ['an obs-folded Transfer-Encoding', 'Transfer-Encoding:\r\n chunked'],
    ['a space before the colon', 'Transfer-Encoding : chunked'],
    ['a bare LF between fields', 'Content-Length: 5\nTransfer-Encoding: chunked'],
  ])('answers 400 to %s and the upstream never sees a request', async (_name, fields) => {
    const app = await rawUpstream();
    const raw = await client(await edgeFor(app));
    raw.send(`POST / HTTP/1.1\r\nHost: h.test\r\n${fields}\r\n\r\n0\r\n\r\n${smuggled}`);
    await expectRefused(raw, 400);
    expect(seenBy(app)).toBe('');
  });

  it('answers 400 to Transfer-Encoding in an HTTP/1.0 request', async () => {
    const app = await rawUpstream();
    const raw = await client(await edgeFor(app));
    raw.send(`POST / HTTP/1.0\r\nHost: h.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`);
    await expectRefused(raw, 400);
    expect(seenBy(app)).toBe('');
  });

  it('answers 400 to broken chunk framing in the same packet as the head, and forwards nothing after it', async () => {
    const app = await rawUpstream(() => undefined);
    const raw = await client(await edgeFor(app));
    raw.send(
      `POST /a HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n\r\n${smuggled}`,
    );
    await expectRefused(raw, 400);
    expect(seenBy(app)).not.toContain('smuggled');
    expect(app.connections.flatMap((connection) => connection.heads).length).toBeLessThanOrEqual(1);
  });

  it('answers 400 to chunk framing broken after a valid part went up, and closes the upstream connection', async () => {
    const app = await rawUpstream(() => undefined);
    const raw = await client(await edgeFor(app));
    raw.send('POST /a HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await until(() => seenBy(app).endsWith('5\r\nhello\r\n'));
    const upstreamClosed = new Promise((resolve) => app.connections[0]?.socket.once('close', resolve));
    // Data longer than its chunk size: a lenient parser would take what follows as a new request.
    raw.send(`3\r\nabcGET /smuggled HTTP/1.1\r\n\r\n0\r\n\r\n${smuggled}`);
    await expectRefused(raw, 400);
    await upstreamClosed;
    expect(seenBy(app)).not.toContain('smuggled');
    expect(app.connections).toHaveLength(1);
  });

  it('keeps Content-Length and Host when Connection names them, so the upstream frames the body as the router did', async () => {
    const app = await rawUpstream((connection, head) => answerOk(connection, head));
    const raw = await client(await edgeFor(app));
    raw.send(
      `POST / HTTP/1.1\r\nHost: h.test\r\nContent-Length: ${smuggled.length}\r\nConnection: content-length, host\r\n\r\n` +
        smuggled,
    );
    expect((await raw.responses(1))[0]).toMatchObject({ statusCode: 200, body: 'ok POST /' });
    const head = app.connections[0]?.heads[0] ?? '';
    expect(head).toContain(`\r\nContent-Length: ${smuggled.length}`);
    expect(head).toContain('\r\nHost: h.test');
    expect(app.connections[0]?.received().endsWith(`\r\n\r\n${smuggled}`)).toBe(true);
  });

  it('answers a pipelined request hidden in a body by its Content-Length as body bytes, not as a request', async () => {
    const app = await rawUpstream((connection) =>
      connection.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    );
    const raw = await client(await edgeFor(app));
    raw.send(`POST / HTTP/1.1\r\nHost: h.test\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`);
    raw.send('GET /next HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(2)).map((response) => response.statusCode)).toEqual([200, 200]);
    const heads = app.connections.flatMap((connection) => connection.heads);
    // The raw upstream splits on blank lines: the body shows up as a head-like chunk, but after the POST's.
    expect(heads.map((head) => head.slice(0, head.indexOf('\r\n')))).toEqual([
      'POST / HTTP/1.1',
      'GET /smuggled HTTP/1.1',
      'GET /next HTTP/1.1',
    ]);
  });
});

describe('refusing oversized and slow heads', () => {
  it('answers 431 to a request head over 16 KiB, complete or not', async () => {
    const app = await rawUpstream();
    const edge = await edgeFor(app);
    const complete = await client(edge);
    complete.send(`GET / HTTP/1.1\r\nHost: h.test\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n${smuggled}`);
    await expectRefused(complete, 431);
    const endless = await client(edge);
    endless.send(`GET / HTTP/1.1\r\nHost: h.test\r\n${'X-Many: b\r\n'.repeat(1_700)}`);
    await expectRefused(endless, 431);
    expect(seenBy(app)).toBe('');
  });

  it('answers 408 to a head still arriving byte by byte after the head timeout', async () => {
    const app = await rawUpstream();
    const edge = await edgeFor(app, { clientTimeouts: { headMs: 300 } });
    const raw = await client(edge);
    const head = `GET / HTTP/1.1\r\nHost: h.test\r\nX-Slow: ${'s'.repeat(1_000)}\r\n\r\n`;
    for (let i = 0; i < head.length && !raw.isClosed; i += 1) {
      raw.send(head[i] ?? '');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expectRefused(raw, 408);
    expect(seenBy(app)).toBe('');
  });

  it('closes a keep-alive connection left idle past the idle timeout', async () => {
    const app = await rawUpstream();
    const edge = await edgeFor(app, { clientTimeouts: { idleMs: 200 } });
    const raw = await client(edge);
    raw.send('GET / HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(1))[0]?.statusCode).toBe(200);
    await raw.closed;
    expect(await raw.responses(1)).toHaveLength(1);
  });
});

describe('refusing what an upstream should not send', () => {
  /** A raw upstream whose first connection answers `bad`, and whose later ones answer well. */
  async function upstreamFirstSending(bad: string): Promise<RawUpstream> {
    const started: RawUpstream = await rawUpstream((connection, head) => {
      if (connection === started.connections[0]) connection.socket.write(bad);
      else answerOk(connection, head);
    });
    return started;
  }

  it.each([
    ['a garbage status line', 'HTCPCP/1.0 418 teapot\r\nContent-Length: 2\r\n\r\nok'],
    ['an HTTP/2 status line', 'HTTP/2 200\r\ncontent-length: 2\r\n\r\nok'],
    ['a status line without a status', 'HTTP/1.1\r\nContent-Length: 2\r\n\r\nok'],
    ['a bare LF in its head', 'HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok'],
    ['a NUL in its head', 'HTTP/1.1 200 OK\r\nX-A: \u0000\r\nContent-Length: 2\r\n\r\nok'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!'],
    ['a head over 64 KiB', `HTTP/1.1 200 OK\r\n${'X-Pad: 0123456789abcdef\r\n'.repeat(3_000)}\r\nok`],
    ['an endless head', `HTTP/1.1 200 OK\r\n${'X-Pad: 0123456789abcdef\r\n'.repeat(3_000)}`],
  ])(
    'answers 502 to %s, drops that upstream connection and serves the next request on a fresh one',
    async (_name, bad) => {
      const app = await upstreamFirstSending(bad);
      const raw = await client(await edgeFor(app));
      raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
      expect((await raw.responses(1))[0]?.statusCode).toBe(502);
      await until(() => app.connections[0]?.socket.destroyed === true);
      raw.send('GET /second HTTP/1.1\r\nHost: h.test\r\n\r\n');
      const responses = await raw.responses(2);
      expect(responses[1]).toMatchObject({ statusCode: 200, body: 'ok GET /second' });
      expect(app.connections).toHaveLength(2);
    },
  );

  it('cuts the client connection when a response breaks its chunked framing after its head went out', async () => {
    const app = await upstreamFirstSending(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nnot-hex\r\n',
    );
    const edge = await edgeFor(app);
    const raw = await client(edge);
    raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
    await raw.closed;
    // Cut, never left looking complete: whatever arrived holds no whole response.
    expect(readResponses(raw.received(), ['GET'], false)).toEqual([]);
    await until(() => app.connections[0]?.socket.destroyed === true);
    const next = await client(edge);
    next.send('GET /second HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await next.responses(1))[0]).toMatchObject({ statusCode: 200, body: 'ok GET /second' });
    expect(app.connections).toHaveLength(2);
  });

  it('answers 502 to a response with both Content-Length and Transfer-Encoding, which readers frame differently', async () => {
    const app = await upstreamFirstSending(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nchunks\r\n0\r\n\r\n',
    );
    const raw = await client(await edgeFor(app));
    raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(1))[0]?.statusCode).toBe(502);
    raw.send('GET /second HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(2))[1]).toMatchObject({ statusCode: 200, body: 'ok GET /second' });
    expect(app.connections).toHaveLength(2);
  });

  it('does not reuse a connection that sent bytes past a complete response, in the same packet', async () => {
    const app = await upstreamFirstSending(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsmuggled!',
    );
    const raw = await client(await edgeFor(app));
    raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(1))[0]).toMatchObject({ statusCode: 200, body: 'ok' });
    raw.send('GET /second HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(2))[1]).toMatchObject({ statusCode: 200, body: 'ok GET /second' });
    expect(app.connections).toHaveLength(2);
  });

  it('does not reuse a connection that sent bytes after a complete response, later', async () => {
    const app = await rawUpstream((connection, head) => {
      answerOk(connection, head);
      if (connection === app.connections[0])
        setTimeout(() => connection.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsmuggled!'), 20);
    });
    // A request sent on a dead connection would wait for the route's timeout: a 504 instead of the answer.
    const raw = await client(await edgeFor(app, {}, 5_000));
    raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(1))[0]).toMatchObject({ statusCode: 200, body: 'ok GET /first' });
    await until(() => app.connections[0]?.socket.destroyed === true);
    raw.send('GET /second HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(2))[1]).toMatchObject({ statusCode: 200, body: 'ok GET /second' });
    expect(app.connections).toHaveLength(2);
  });

  it('serves the next request on a fresh connection when the upstream closed an idle one', async () => {
    const app = await rawUpstream(answerOk);
    const raw = await client(await edgeFor(app, {}, 5_000));
    raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(1))[0]?.statusCode).toBe(200);
    app.connections[0]?.socket.end();
    await until(() => app.connections[0]?.socket.destroyed === true);
    raw.send('GET /second HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(2))[1]).toMatchObject({ statusCode: 200, body: 'ok GET /second' });
    expect(app.connections).toHaveLength(2);
  });
});

describe('upgrades the upstream refuses', () => {
  it('never lets bytes sent after an upgrade request reach the upstream as a request of their own', async () => {
    const app = await rawUpstream((connection, head) => {
      // An upstream that does not speak the protocol asked for answers as plain HTTP and reads on.
      const path = head.slice(head.indexOf(' ') + 1, head.indexOf(' HTTP/'));
      connection.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`);
    });
    const raw = await client(await edgeFor(app));
    raw.send(`GET /chat HTTP/1.1\r\nHost: h.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n${smuggled}`);
    const [response] = await raw.responses(1);
    expect(response).toMatchObject({ statusCode: 200, body: '/chat' });
    await raw.closed;
    await until(() => app.connections.every((connection) => connection.socket.destroyed));
    expect(app.connections.flatMap((connection) => connection.heads)).toHaveLength(1);
    expect(seenBy(app)).not.toContain('smuggled');
  });

  it('holds bytes sent right after an upgrade request until the upstream switched, then passes them on', async () => {
    let receivedBeforeSwitch = '';
    const app = await rawUpstream((connection) => {
      receivedBeforeSwitch = connection.received();
      connection.socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n');
    });
    const raw = await client(await edgeFor(app));
    raw.send('GET /chat HTTP/1.1\r\nHost: h.test\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nearly bytes');
    await until(() => seenBy(app).endsWith('early bytes'));
    expect(receivedBeforeSwitch.endsWith('\r\n\r\n')).toBe(true);
    raw.send(' and later ones');
    await until(() => seenBy(app).endsWith('early bytes and later ones'));
    expect(raw.received().toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  });
});
