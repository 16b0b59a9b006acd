/** What crosses the edge: targets, query strings, hop-by-hop and forwarded fields, field bytes. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeTo } from './edge-test-harness.js';
import { fieldsOf, useRawEdgeFixtures } from './raw-edge-fixtures.js';
import { createTrustedProxies } from './trusted-proxies.js';

const { upstream, rawUpstream, edgeWith, client } = useRawEdgeFixtures();

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
    const edge = await edgeWith([routeTo('q.test', '/', [app.asUpstream()])], { stateDir, accessLogFile });
    const raw = await client(edge);
    raw.send(
      'GET /items?token=s3cret HTTP/1.1\r\nHost: q.test\r\n\r\n' +
        'GET http://q.test/abs?token=s3cret HTTP/1.1\r\nHost: q.test\r\n\r\n',
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

  it.each([
    ['a trusted proxy: appended to', true, 'X-Forwarded-For: 203.0.113.9, 198.51.100.1, 127.0.0.1'],
    ['any other client: replaced', false, 'X-Forwarded-For: 127.0.0.1'],
  ])('writes X-Forwarded-For in one field; from %s', async (_name, isTrusted, expected) => {
    const app = await rawUpstream('app', (connection) =>
      connection.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    );
    const edge = await edgeWith(
      [routeTo('xff.test', '/', [app.asUpstream()])],
      isTrusted ? { trustedProxies: createTrustedProxies(['127.0.0.0/8']) } : {},
    );
    const raw = await client(edge);
    raw.send(
      'GET / HTTP/1.1\r\nHost: xff.test\r\nX-Forwarded-For: 203.0.113.9\r\nx-forwarded-for: 198.51.100.1\r\n' +
        'X-Forwarded-Proto: https\r\n\r\n',
    );
    await raw.responses(1);
    const fields = fieldsOf(app.connections[0]?.heads[0] ?? '');
    expect(fields.filter((line) => line.toLowerCase().startsWith('x-forwarded-for:'))).toEqual([expected]);
    // The scheme a trusted proxy was spoken to with is kept; anyone else's claim is replaced by the router's.
    expect(fields.filter((line) => line.toLowerCase().startsWith('x-forwarded-proto:'))).toEqual([
      `X-Forwarded-Proto: ${isTrusted ? 'https' : 'http'}`,
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
