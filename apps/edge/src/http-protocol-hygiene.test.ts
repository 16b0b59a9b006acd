/**
 * Raw-socket regressions of framing and header hygiene: what an upstream or a client sends that two parsers could
 * read differently is refused, what is routed on is what the app gets, and every forwarding field is the router's.
 */
import { describe, expect, it } from 'vitest';
import { routeTo, type TestEdgeOptions } from './edge-test-harness.js';
import { fieldsOf, until, useRawEdgeFixtures } from './raw-edge-fixtures.js';
import { readResponses, type RawHttpClient, type RawUpstream, type RawUpstreamConnection } from './raw-http-client.js';
import { createTrustedProxies } from './trusted-proxies.js';

const fixtures = useRawEdgeFixtures();
const { client } = fixtures;

/** Answers `ok <method> <target>`, so a test sees which request line reached the upstream. */
function answerOk(connection: RawUpstreamConnection, head: string): void {
  const body = `ok ${head.slice(0, head.indexOf(' HTTP/'))}`;
  connection.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
}

function heads(app: RawUpstream): string[] {
  return app.connections.flatMap((connection) => connection.heads);
}

/** The router answered once with `statusCode` and closed the connection. */
async function expectRefused(raw: RawHttpClient, statusCode: number): Promise<void> {
  await raw.closed;
  const responses = await raw.responses(1);
  expect(responses.map((response) => response.statusCode)).toEqual([statusCode]);
  expect(responses[0]?.headers.connection).toBe('close');
}

describe('responses two parsers could frame differently', () => {
  /** A raw upstream whose first connection answers `bad`, later ones well. */
  async function upstreamFirstSending(bad: string): Promise<RawUpstream> {
    const started: RawUpstream = await fixtures.rawUpstream('app', (connection, head) => {
      if (connection === started.connections[0]) connection.socket.write(Buffer.from(bad, 'latin1'));
      else answerOk(connection, head);
    });
    return started;
  }

  it.each([
    ['Transfer-Encoding: chunked and a no-break space', 'Transfer-Encoding: chunked\u00a0'],
    ['a no-break space before chunked', 'Transfer-Encoding: \u00a0chunked'],
    ['a coding that is not a token', 'Transfer-Encoding: gz\u00a0ip, chunked'],
    ['an empty coding in the list', 'Transfer-Encoding: gzip,, chunked'],
    ['Transfer_Encoding beside Content-Length', 'Transfer_Encoding: chunked\r\nContent-Length: 2'],
    ['Content_Length beside Content-Length', 'Content_Length: 5\r\nContent-Length: 2'],
    ['chunked applied twice, over two fields', 'Transfer-Encoding: chunked, gzip\r\nTransfer-Encoding: chunked'],
    ['chunked under another coding', 'Transfer-Encoding: chunked, gzip'],
    ['a tab around Transfer-Encoding (llhttp reads it as part of the value)', 'Transfer-Encoding: chunked\t'],
  ])('answers 502 to a response with %s and serves the next request on a fresh connection', async (_name, field) => {
    const app = await upstreamFirstSending(`HTTP/1.1 200 OK\r\n${field}\r\n\r\n2\r\nok\r\n0\r\n\r\n`);
    const raw = await client(await fixtures.edgeWith([routeTo('h.test', '/', [app.asUpstream()])]));
    raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(1))[0]?.statusCode).toBe(502);
    raw.send('GET /second HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(2))[1]).toMatchObject({ statusCode: 200, body: 'ok GET /second' });
    expect(app.connections).toHaveLength(2);
  });

  it.each([
    ['HTTP/1.0 with Transfer-Encoding', 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked'],
    ['a 204 with Transfer-Encoding', 'HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked'],
  ])('answers 502 to a response in %s, whose framing is faulty', async (_name, head) => {
    const app = await upstreamFirstSending(`${head}\r\n\r\n2\r\nok\r\n0\r\n\r\n`);
    const raw = await client(await fixtures.edgeWith([routeTo('h.test', '/', [app.asUpstream()])]));
    raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await raw.responses(1))[0]?.statusCode).toBe(502);
  });

  it.each([
    ['a space in a chunk extension', '2;a b\r\nok\r\n0\r\n\r\n'],
    ['a chunk extension without a name', '2;=x\r\nok\r\n0\r\n\r\n'],
    ['an empty chunk extension value', '2;a=\r\nok\r\n0\r\n\r\n'],
    ['an unterminated quoted extension value', '2;a="x\r\nok\r\n0\r\n\r\n'],
    ['a trailer without a colon', '2\r\nok\r\n0\r\nX-Trailer\r\n\r\n'],
    ['a trailer with a space before its colon', '2\r\nok\r\n0\r\nX-T : 1\r\n\r\n'],
    ['a trailer with a control character', '2\r\nok\r\n0\r\nX-T: \u0001\r\n\r\n'],
    ['a Content-Length trailer', '2\r\nok\r\n0\r\nContent-Length: 5\r\n\r\n'],
    ['a Transfer_Encoding trailer', '2\r\nok\r\n0\r\nTransfer_Encoding: chunked\r\n\r\n'],
  ])('cuts the client connection at a chunked response with %s, never passing it on whole', async (_name, body) => {
    const app = await upstreamFirstSending(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
    const edge = await fixtures.edgeWith([routeTo('h.test', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send('GET /first HTTP/1.1\r\nHost: h.test\r\n\r\n');
    await raw.closed;
    expect(readResponses(raw.received(), ['GET'], false)).toEqual([]);
    await until(() => app.connections[0]?.socket.destroyed === true);
    const next = await client(edge);
    next.send('GET /second HTTP/1.1\r\nHost: h.test\r\n\r\n');
    expect((await next.responses(1))[0]).toMatchObject({ statusCode: 200, body: 'ok GET /second' });
  });

  it('passes well-formed chunk extensions and trailers through as they came', async () => {
    const body = '2;a=b;c="d \\" e"\r\nok\r\n0;last\r\nX-Checksum: 1\r\n\r\n';
    const app = await fixtures.rawUpstream('app', (connection) =>
      connection.socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`),
    );
    const raw = await client(await fixtures.edgeWith([routeTo('h.test', '/', [app.asUpstream()])]));
    raw.send('GET / HTTP/1.1\r\nHost: h.test\r\n\r\n');
    const [response] = await raw.responses(1);
    expect(response).toMatchObject({ statusCode: 200, body: 'ok' });
    expect(raw.received().toString('latin1').endsWith(`\r\n\r\n${body}`)).toBe(true);
  });
});

describe('requests two parsers could read differently', () => {
  async function edgeAndApp(): Promise<{ raw: RawHttpClient; app: RawUpstream }> {
    const app = await fixtures.rawUpstream('app', answerOk);
    const raw = await client(await fixtures.edgeWith([routeTo('a.localhost', '/', [app.asUpstream()])]));
    return { raw, app };
  }

  it.each([
    [
      'Transfer_Encoding beside Content-Length',
      'POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
    ],
    [
      'Content_Length beside Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: a.localhost\r\nContent_Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'Transfer-Encoding: chunked and a no-break space',
      'POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: chunked\u00a0\r\n\r\n0\r\n\r\n',
    ],
    ['a Host with userinfo', 'GET / HTTP/1.1\r\nHost: a.localhost:@evil.example\r\n\r\n'],
    ['a Host with a user name', 'GET / HTTP/1.1\r\nHost: me@a.localhost\r\n\r\n'],
    ['a Host with a path', 'GET / HTTP/1.1\r\nHost: a.localhost/x\r\n\r\n'],
    ['a Host with a port that is not a number', 'GET / HTTP/1.1\r\nHost: a.localhost:80x\r\n\r\n'],
    ['a Host with an empty port', 'GET / HTTP/1.1\r\nHost: a.localhost:\r\n\r\n'],
    ['an empty Host', 'GET / HTTP/1.1\r\nHost:\r\n\r\n'],
    ['no Host', 'GET / HTTP/1.1\r\nX-A: 1\r\n\r\n'],
    ['an absolute-form target with userinfo', 'GET http://me@a.localhost/ HTTP/1.1\r\nHost: a.localhost\r\n\r\n'],
    [
      'an absolute-form target with an empty userinfo port',
      'GET http://a.localhost:@evil.example/ HTTP/1.1\r\nHost: a.localhost\r\n\r\n',
    ],
    ['an origin-form CONNECT', 'CONNECT / HTTP/1.1\r\nHost: a.localhost\r\n\r\n'],
    ['an authority-form CONNECT', 'CONNECT a.localhost:443 HTTP/1.1\r\nHost: a.localhost\r\n\r\n'],
    ['a fragment in the target', 'GET /a#/../admin HTTP/1.1\r\nHost: a.localhost\r\n\r\n'],
    ['a backslash in the path', 'GET /a\\..\\admin HTTP/1.1\r\nHost: a.localhost\r\n\r\n'],
    ['an encoded slash hiding a dot-segment', 'GET /a%2f..%2fadmin HTTP/1.1\r\nHost: a.localhost\r\n\r\n'],
    ['an encoded backslash hiding a dot-segment', 'GET /a%5C%2e%2e%2Fadmin HTTP/1.1\r\nHost: a.localhost\r\n\r\n'],
    [
      'a chunk extension with a space',
      'POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: chunked\r\n\r\n1;a b\r\nx\r\n0\r\n\r\n',
    ],
    [
      'a Content-Length trailer',
      'POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n',
    ],
  ])('answers 400 to %s and the upstream never sees a whole request', async (_name, request) => {
    const { raw, app } = await edgeAndApp();
    raw.send(request);
    await expectRefused(raw, 400);
    // A chunked request may have its head sent on before the body turns out broken; it never completes there.
    expect(app.connections.map((connection) => connection.received()).join('')).not.toContain('0\r\n\r\n');
    if (!request.includes('chunked\r\n')) expect(heads(app)).toEqual([]);
  });

  it('answers 404 to an HTTP/1.0 request without Host (none is required), never 400', async () => {
    const { raw } = await edgeAndApp();
    raw.send('GET / HTTP/1.0\r\n\r\n');
    await raw.closed;
    expect((await raw.responses(1))[0]?.statusCode).toBe(404);
  });

  it('routes and forwards an IPv6 literal Host and a port', async () => {
    const app = await fixtures.rawUpstream('app', answerOk);
    const edge = await fixtures.edgeWith([routeTo('[::1]', '/', [app.asUpstream()])]);
    const raw = await client(edge);
    raw.send('GET /v6 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n');
    expect((await raw.responses(1))[0]).toMatchObject({ statusCode: 200, body: 'ok GET /v6' });
  });
});

describe('routing on the normalised path', () => {
  async function twoApps(): Promise<{ raw: RawHttpClient; a: RawUpstream; admin: RawUpstream }> {
    const [a, admin] = await Promise.all([
      fixtures.rawUpstream('a', answerOk),
      fixtures.rawUpstream('admin', answerOk),
    ]);
    const edge = await fixtures.edgeWith([
      routeTo('p.test', '/a', [a.asUpstream()]),
      routeTo('p.test', '/admin', [admin.asUpstream()]),
    ]);
    return { raw: await client(edge), a, admin };
  }

  it.each([
    ['/a/../admin', '/admin'],
    ['/a/./../admin/x', '/admin/x'],
    ['/a/%2e%2e/admin', '/admin'],
    ['/a/.%2E/admin?q=/a/../x', '/admin?q=/a/../x'],
    ['/a/b/../../admin/', '/admin/'],
    ['/../../admin', '/admin'],
    ['/a/%2E/../admin', '/admin'],
    ['http://p.test/a/../admin?x', '/admin?x'],
  ])('sends %s to the route of the path it resolves to, as %s', async (target, expected) => {
    const { raw, a, admin } = await twoApps();
    raw.send(`GET ${target} HTTP/1.1\r\nHost: p.test\r\n\r\n`);
    expect((await raw.responses(1))[0]).toMatchObject({ statusCode: 200, body: `ok GET ${expected}` });
    expect(heads(a)).toEqual([]);
    expect(heads(admin).map((head) => head.slice(0, head.indexOf('\r\n')))).toEqual([`GET ${expected} HTTP/1.1`]);
  });

  it.each([
    ['/a/x', '/a/x'],
    ['/a/admin/..', '/a/'],
    ['/a/./x/.', '/a/x/'],
    ['/a/%2fadmin', '/a/%2fadmin'],
    ['/a/file.tar.gz?v=1.2', '/a/file.tar.gz?v=1.2'],
  ])('keeps %s on its own route, as %s', async (target, expected) => {
    const { raw, a, admin } = await twoApps();
    raw.send(`GET ${target} HTTP/1.1\r\nHost: p.test\r\n\r\n`);
    expect((await raw.responses(1))[0]).toMatchObject({ statusCode: 200, body: `ok GET ${expected}` });
    expect(heads(admin)).toEqual([]);
    expect(heads(a)).toHaveLength(1);
  });
});

describe('forwarding fields', () => {
  const spoofed = [
    'X-Forwarded-For: 203.0.113.66',
    'X_Forwarded_For: 203.0.113.67',
    'X-Forwarded-Host: evil.example',
    'X-Forwarded-Proto: https',
    'X-Forwarded-Port: 1',
    'X_Forwarded_Host: evil.example',
    'X-Real-IP: 203.0.113.68',
    'X_Real_IP: 203.0.113.69',
    'Forwarded: for=203.0.113.70;proto=https',
  ];

  async function forwardedFields(options: TestEdgeOptions): Promise<{ fields: string[]; port: number }> {
    const app = await fixtures.rawUpstream('app', answerOk);
    const edge = await fixtures.edgeWith([routeTo('f.test', '/', [app.asUpstream()])], options);
    const raw = await client(edge);
    raw.send(`GET / HTTP/1.1\r\nHost: f.test\r\n${spoofed.join('\r\n')}\r\nX-Other: kept\r\n\r\n`);
    expect((await raw.responses(1))[0]?.statusCode).toBe(200);
    const fields = fieldsOf(heads(app)[0] ?? '').filter((line) =>
      /^(x[-_]forwarded|x[-_]real|forwarded|x-other)/i.test(line),
    );
    return { fields, port: edge.port };
  }

  it('replaces every forwarding field a client sent, underscore spellings too, with its own', async () => {
    const { fields, port } = await forwardedFields({});
    expect(fields.sort()).toEqual(
      [
        'X-Other: kept',
        'X-Forwarded-For: 127.0.0.1',
        'Forwarded: for=127.0.0.1;host="f.test";proto=http',
        'X-Forwarded-Proto: http',
        'X-Forwarded-Host: f.test',
        `X-Forwarded-Port: ${port}`,
        'X-Real-IP: 127.0.0.1',
      ].sort(),
    );
  });

  it('keeps and appends to a trusted proxy’s forwarding fields, and still drops their underscore spellings', async () => {
    const { fields } = await forwardedFields({ trustedProxies: createTrustedProxies(['127.0.0.1', '::1']) });
    expect(fields.sort()).toEqual(
      [
        'X-Other: kept',
        'X-Forwarded-For: 203.0.113.66, 127.0.0.1',
        'Forwarded: for=203.0.113.70;proto=https, for=127.0.0.1;host="f.test";proto=http',
        'X-Forwarded-Host: evil.example',
        'X-Forwarded-Proto: https',
        'X-Forwarded-Port: 1',
        'X-Real-IP: 203.0.113.68',
      ].sort(),
    );
  });

  it('does not trust a peer outside the configured ranges', async () => {
    const { fields } = await forwardedFields({ trustedProxies: createTrustedProxies(['10.0.0.0/8', 'fd00::/8']) });
    expect(fields).toContain('X-Forwarded-For: 127.0.0.1');
    expect(fields).toContain('X-Real-IP: 127.0.0.1');
  });
});
