/**
 * Raw-socket regression suite for clients that misbehave on purpose: never reading, pipelining without end, holding
 * connections open, stalling or cutting request bodies. Real sockets against a real router and real node:http
 * upstreams; limits are configured small, and every assertion is on a state or a count, not on a duration.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { EdgeLog } from './edge-log.js';
import { routeTo, type TestEdge, type TestEdgeOptions } from './edge-test-harness.js';
import { until, useRawEdgeFixtures } from './raw-edge-fixtures.js';
import type { RawHttpClient } from './raw-http-client.js';

const fixtures = useRawEdgeFixtures();
const { client } = fixtures;

/** A router with one route, `h.test`, to a node:http app answering `ok` (after reading any body). */
async function edgeToApp(options: TestEdgeOptions = {}, timeoutMs: number | null = null): Promise<TestEdge> {
  const app = await fixtures.echoBody('app');
  return fixtures.edgeWith([routeTo('h.test', '/', [app.asUpstream()], timeoutMs)], options);
}

/**
 * A socket that sends but does not read what comes back (its receive window fills, then stays shut) and does not
 * close its side when the router closes its own.
 */
function connectNonReader(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress, allowHalfOpen: true });
    socket.pause();
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The log lines the router wrote, as `level message`. */
function recordingLog(): EdgeLog & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (_fields, message) => lines.push(`info ${message}`),
    warn: (_fields, message) => lines.push(`warn ${message}`),
    error: (_fields, message) => lines.push(`error ${message}`),
  };
}

/**
 * Resolves once the router has cut `socket` for good: a half-closed router socket keeps taking bytes, a destroyed one
 * answers them with a reset.
 */
async function untilCut(socket: Socket): Promise<void> {
  socket.resume();
  await until(() => {
    if (!socket.destroyed) socket.write('\r\n');
    return socket.destroyed;
  });
}

const get = 'GET / HTTP/1.1\r\nHost: h.test\r\n\r\n';

describe('a client that does not read its answers', () => {
  it('is not read from while its answers back up, and the router keeps serving everyone else', async () => {
    // No cap on pipelining here: the connection must stay open, only unread.
    const edge = await edgeToApp({ clientLimits: { maxPipelinedRequests: 1_000_000 } });
    const flooder = await connectNonReader(edge.port);
    // Requests the router answers itself, with a page: answers pile up fastest that way.
    const batch = Buffer.from('GET / HTTP/1.1\r\nHost: nowhere.test\r\nAccept: text/html\r\n\r\n'.repeat(1_000));
    let sentBytes = 0;
    // The router stops reading once the answers it owes this client back up: the client's own sends then queue.
    await until(() => {
      for (let i = 0; i < 16 && flooder.writableLength === 0; i += 1) {
        flooder.write(batch);
        sentBytes += batch.length;
      }
      return flooder.writableLength > 0;
    });
    expect(sentBytes).toBeGreaterThan(0);
    const other = await client(edge);
    other.send(get);
    expect((await other.responses(1))[0]).toMatchObject({ statusCode: 200, body: 'GET / ' });
    expect(edge.edge.clientConnections().open).toBe(2);
    flooder.destroy();
  });

  it('is cut once nothing queued for it has left for the send timeout', async () => {
    const app = await fixtures.upstream('big', (_req, res) => res.end(Buffer.alloc(16 * 1024 * 1024, 120)));
    const edge = await fixtures.edgeWith([routeTo('h.test', '/', [app.asUpstream()])], {
      clientTimeouts: { sendMs: 200 },
    });
    const reader = await connectNonReader(edge.port);
    reader.write(get);
    await until(() => app.requests.length === 1);
    await until(() => edge.edge.clientConnections().open === 0);
    await untilCut(reader);
    // The upstream's response was abandoned with the client: its request closed too.
    await until(() => app.requests[0]?.socket.destroyed === true);
  });

  it('gets at most maxPipelinedRequests answers in one go, the last with Connection: close', async () => {
    const edge = await edgeToApp({ clientLimits: { maxPipelinedRequests: 3 } });
    const raw = await client(edge);
    raw.send(get.repeat(5));
    await raw.closed;
    const responses = await raw.responses(5);
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200]);
    expect(responses.map((response) => response.headers.connection)).toEqual([undefined, undefined, 'close']);
  });

  it('is never capped when it waits for each answer before its next request', async () => {
    const edge = await edgeToApp({ clientLimits: { maxPipelinedRequests: 2 } });
    const raw = await client(edge);
    for (let i = 1; i <= 5; i += 1) {
      raw.send(get);
      const responses = await raw.responses(i);
      expect(responses[i - 1]?.headers.connection).toBeUndefined();
    }
    expect(raw.isClosed).toBe(false);
  });
});

describe('reaping connections', () => {
  /** The client reads the answer but never closes its side: the router must not keep the descriptor. */
  async function expectReaped(edge: TestEdge, raw: RawHttpClient, statusCode: number): Promise<void> {
    const responses = await raw.responses(1);
    expect(responses.map((response) => [response.statusCode, response.headers.connection])).toEqual([
      [statusCode, 'close'],
    ]);
    await until(() => edge.edge.clientConnections().open === 0);
  }

  it.each([
    ['after Connection: close', 'GET / HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n', 200],
    ['after a 400', 'GET / HTTP/1.1\r\nHost: h.test\r\nContent-Length: x\r\n\r\n', 400],
    ['after a 408', 'GET / HTTP/1.1\r\nHost: h.test\r\n', 408],
    ['after a 431', `GET / HTTP/1.1\r\nHost: h.test\r\nX-Big: ${'b'.repeat(17_000)}\r\n\r\n`, 431],
  ])('destroys the connection %s once its linger is over', async (_name, request, statusCode) => {
    const edge = await edgeToApp({ clientTimeouts: { lingerMs: 100, headMs: 100 } });
    const raw = await client(edge);
    raw.send(request);
    await expectReaped(edge, raw, statusCode);
  });

  it('closes a keep-alive connection that sends only blank lines at its idle timeout', async () => {
    const edge = await edgeToApp({ clientTimeouts: { idleMs: 300 } });
    const raw = await client(edge);
    raw.send(get);
    expect((await raw.responses(1))[0]?.statusCode).toBe(200);
    await until(() => {
      raw.send('\r\n');
      return raw.isClosed;
    });
    expect(edge.edge.clientConnections().open).toBe(0);
  });

  it('refuses connections over the cap with 503, and accepts again once one closed', async () => {
    const edge = await edgeToApp({ clientLimits: { maxConnections: 2 } });
    const kept = [await client(edge), await client(edge)];
    for (const raw of kept) raw.send(get);
    for (const raw of kept) expect((await raw.responses(1))[0]?.statusCode).toBe(200);
    const refused = await client(edge);
    refused.send(get);
    await refused.closed;
    const answer = (await refused.responses(1))[0];
    expect([answer?.statusCode, answer?.headers.connection, answer?.headers['retry-after']]).toEqual([
      503,
      'close',
      '5',
    ]);
    expect(edge.edge.clientConnections()).toEqual({ open: 2, refused: 1, handshaking: 0 });
    kept[0]?.socket.destroy();
    await until(() => edge.edge.clientConnections().open === 1);
    const next = await client(edge);
    next.send(get);
    expect((await next.responses(1))[0]?.statusCode).toBe(200);
  });

  it('refuses one address over its own cap with 429 while another address is served', async () => {
    const edge = await edgeToApp({ clientLimits: { maxConnectionsPerAddress: 1 } });
    const first = await client(edge);
    first.send(get);
    expect((await first.responses(1))[0]?.statusCode).toBe(200);
    const second = await client(edge);
    second.send(get);
    await second.closed;
    expect((await second.responses(1)).map((response) => response.statusCode)).toEqual([429]);
    const elsewhere = await connectNonReader(edge.port, '127.0.0.2');
    elsewhere.resume();
    const received: Buffer[] = [];
    elsewhere.on('data', (chunk: Buffer) => received.push(chunk));
    elsewhere.write(get);
    await until(() => Buffer.concat(received).toString('latin1').startsWith('HTTP/1.1 200 '));
    elsewhere.destroy();
    expect(edge.edge.clientConnections().refused).toBe(1);
  });

  it('cuts refused connections whose client never closes once their linger is over', async () => {
    const edge = await edgeToApp({ clientLimits: { maxConnections: 1 }, clientTimeouts: { lingerMs: 100 } });
    const kept = await client(edge);
    kept.send(get);
    await kept.responses(1);
    const refused = await connectNonReader(edge.port);
    await until(() => edge.edge.clientConnections().refused === 1);
    await untilCut(refused);
  });
});

describe('client faults are not blamed on the upstream', () => {
  const bodyHead = 'POST / HTTP/1.1\r\nHost: h.test\r\nContent-Length: 10\r\n\r\n';

  it('answers 408 to a body that stops arriving, logs it as the client fault, and never ejects the upstream', async () => {
    const log = recordingLog();
    const edge = await edgeToApp(
      { log, clientTimeouts: { bodyMs: 300 }, passiveHealth: { ejectAfterFailures: 1 } },
      100,
    );
    const raw = await client(edge);
    raw.send(`${bodyHead}abc`);
    await raw.closed;
    const responses = await raw.responses(1);
    expect(responses.map((response) => [response.statusCode, response.headers.connection])).toEqual([[408, 'close']]);
    expect(log.lines).toContain('info client request body timed out');
    expect(log.lines.filter((line) => line.startsWith('warn'))).toEqual([]);
  });

  it('answers 400 to a body cut short by the client closing its side, without waiting for any timeout', async () => {
    const log = recordingLog();
    const edge = await edgeToApp({ log, passiveHealth: { ejectAfterFailures: 1 } });
    const raw = await client(edge);
    raw.send(`${bodyHead}abc`);
    raw.socket.end();
    await raw.closed;
    expect((await raw.responses(1)).map((response) => response.statusCode)).toEqual([400]);
    expect(log.lines).toContain('info client request body cut short');
    expect(log.lines.filter((line) => line.startsWith('warn'))).toEqual([]);
  });

  it('lets a response the upstream started without the body finish when the client then cuts its body short', async () => {
    let finish: () => void = () => undefined;
    const app = await fixtures.upstream('early', (_req, res) => {
      res.writeHead(200, { 'content-length': '4' });
      res.write('ab');
      finish = () => res.end('cd');
    });
    const edge = await fixtures.edgeWith([routeTo('h.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send(`${bodyHead}abc`);
    await until(() => raw.received().toString('latin1').endsWith('ab'));
    raw.socket.end();
    // Its FIN is read before the rest of the answer comes (the router reads the client as it arrives).
    await new Promise((resolve) => setTimeout(resolve, 100));
    finish();
    await raw.closed;
    expect((await raw.responses(1)).map((response) => [response.statusCode, response.body])).toEqual([[200, 'abcd']]);
  });

  it('still blames an upstream that never sends the 100 Continue a client waits for before its body', async () => {
    const log = recordingLog();
    const silent = await fixtures.rawUpstream('silent', () => undefined);
    const edge = await fixtures.edgeWith([routeTo('h.test', '/', [silent.asUpstream()], 200)], {
      log,
      clientTimeouts: { bodyMs: 60_000 },
    });
    const raw = await client(edge);
    raw.send('POST / HTTP/1.1\r\nHost: h.test\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n');
    expect((await raw.responses(1)).map((response) => response.statusCode)).toEqual([504]);
    expect(log.lines).toContain('warn upstream timed out');
  });

  it('lets a slow but steady body outlast the route timeout, which counts from the whole request', async () => {
    const edge = await edgeToApp({ clientTimeouts: { bodyMs: 5_000 } }, 200);
    const raw = await client(edge);
    raw.send(bodyHead);
    for (const byte of '0123456789') {
      await new Promise((resolve) => setTimeout(resolve, 60));
      raw.send(byte);
    }
    expect((await raw.responses(1))[0]).toMatchObject({ statusCode: 200, body: 'POST / 0123456789' });
  });
});
