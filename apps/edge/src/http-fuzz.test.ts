import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, routeTo, startTestEdge, type TestEdge } from './edge-test-harness.js';
import { isToken } from './http-head.js';
import { connectRawClient, readResponses } from './raw-http-client.js';

/** What the router may answer a random request with: the upstream's 200, or one of its own refusals. */
const allowedStatuses = new Set([200, 400, 404, 408, 431, 501, 505]);

/** Node's parser (llhttp, strict) as the judge of what reaches the upstream, plus the router's own promises. */
function problemOf(req: IncomingMessage): string | undefined {
  if (req.httpVersion !== '1.1') return `version ${req.httpVersion}`;
  if (req.headers.host === undefined || req.headers.host === '') return 'no Host';
  if (req.url !== '*' && req.url?.startsWith('/') !== true) return `target ${req.url ?? ''}`;
  const forwardedFor = req.headers['x-forwarded-for'];
  if (typeof forwardedFor !== 'string' || !forwardedFor.endsWith('127.0.0.1')) return 'no X-Forwarded-For';
  if (req.headers['transfer-encoding'] !== undefined && req.headers['content-length'] !== undefined)
    return 'Transfer-Encoding beside Content-Length';
  return undefined;
}

interface JudgedUpstream {
  readonly port: number;
  /** Targets of the requests it got. */
  readonly urls: string[];
  readonly complaints: string[];
  close(): Promise<void>;
}

async function startJudgedUpstream(): Promise<JudgedUpstream> {
  const complaints: string[] = [];
  const urls: string[] = [];
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    urls.push(req.url ?? '');
    const problem = problemOf(req);
    if (problem !== undefined) complaints.push(`${problem} in ${JSON.stringify(req.rawHeaders)}`);
    req.on('error', () => undefined);
    req.resume();
    // 418 is not an answer the router may give: an upstream complaint fails the property where it happened.
    res.writeHead(problem === undefined ? 200 : 418, { 'content-length': '2', 'x-upstream-url': req.url ?? '' });
    res.end('ok');
  };
  const server = createServer({ requireHostHeader: false }, answer);
  // Any expectation is met (Node would answer 417 itself).
  server.on('checkExpectation', answer);
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const code = error.code ?? '';
    const packet = error.rawPacket?.toString('latin1') ?? '';
    // llhttp knows a fixed list of methods; any other token is a valid method all the same: answer it.
    if (code === 'HPE_INVALID_METHOD' && isToken(packet.slice(0, packet.indexOf(' ')))) {
      const url = packet.split(' ')[1] ?? '';
      urls.push(url);
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Upstream-Url: ${url}\r\nConnection: close\r\n\r\nok`);
      return;
    }
    socket.destroy();
    // A body cut short (the router closes the connection when its client went away) is not a malformed request.
    if (code.startsWith('HPE_') && code !== 'HPE_INVALID_EOF_STATE')
      complaints.push(`${code}: ${error.message} in ${JSON.stringify(packet)}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    urls,
    complaints,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Mostly well-formed, so that most requests reach the upstream; the rest and the mutations probe the refusals. */
const requestLineArb = fc.tuple(
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'M-SEARCH', 'PURGE') },
    fc.constantFrom('G(T', 'get', 'X-Custom', ''),
  ),
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constantFrom('/', '/a/b?c=d&e', '/%00', '//x', '/a#b', 'http://f.test/x?y', 'HTTPS://F.TEST'),
    },
    fc.constantFrom('*', 'http://other.test/', 'f.test:80', 'x', '/caf\u00e9', '/a b', ''),
  ),
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
    fc.constantFrom('HTTP/2.0', 'HTTP/1.2', 'http/1.1', 'HTTP/1.1 ', 'HTTP/11'),
  ),
);

const validFieldArb = fc.constantFrom(
  'Host: F.TEST:8080',
  'Content-Length: 0',
  'Content-Length: 5',
  'Content-Length: 12345678901234',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: Chunked',
  'Transfer-Encoding: \tchunked ',
  'Connection: close',
  'Connection: keep-alive',
  'Connection: Upgrade',
  'Upgrade: websocket',
  'Connection: x-a, te, host, content-length',
  'X-A: 1',
  'TE: trailers',
  'Expect: 100-continue',
  'X-Forwarded-For: 203.0.113.1',
  'X-Request-Id: \u00ff\u00fe',
);

const hostileFieldArb = fc.oneof(
  fc.constantFrom(
    'Host: other.test',
    'Host : f.test',
    'Host: ',
    'Host: f.test',
    'Content-Length: -1',
    'Content-Length: +5',
    'Content-Length: 5, 5',
    'Content-Length: 0x5',
    'Content-Length: 6',
    'Transfer-Encoding: gzip, chunked',
    'Transfer-Encoding: chunked, gzip',
    'Transfer-Encoding: identity',
    ' folded',
    '\tfolded',
    'NoColon',
    ': empty',
    'X\u0000Y: z',
    'X-Y: a\u0000b',
    'X-Y: a\rb',
    'X-Y: a\nb',
  ),
  fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/), fc.string({ unit: 'binary-ascii', maxLength: 16 }))
    .map(([name, value]) => `${name}: ${value}`),
);

const fieldsArb = fc
  .tuple(
    fc.array(fc.oneof({ weight: 6, arbitrary: validFieldArb }, hostileFieldArb), { maxLength: 6 }),
    fc.nat(),
    fc.integer({ min: 0, max: 9 }),
  )
  .map(([fields, at, hostChance]) =>
    hostChance < 8
      ? [...fields.slice(0, at % (fields.length + 1)), 'Host: f.test', ...fields.slice(at % (fields.length + 1))]
      : fields,
  );

const bodyArb = fc.oneof(
  fc.constantFrom(
    '',
    '',
    'hello',
    '5\r\nhello\r\n0\r\n\r\n',
    '0\r\n\r\n',
    '5\r\nhelloXX',
    'zz\r\n',
    '5;a=b\r\nhello\r\n0\r\nT: 1\r\n\r\n',
  ),
  fc.string({ unit: 'binary-ascii', maxLength: 24 }),
);

const mutationArb = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('insert', 'delete', 'replace'),
  code: fc.constantFrom(0, 9, 10, 13, 32, 44, 58, 59, 65, 127, 128, 255),
});

const requestArb = fc
  .record({
    line: requestLineArb,
    fields: fieldsArb,
    body: bodyArb,
    hasNext: fc.boolean(),
    mutations: fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
    ),
  })
  .map(({ line, fields, body, hasNext, mutations }) => {
    const head = [line.join(' '), ...fields].join('\r\n');
    const bytes = [...Buffer.from(head, 'latin1')];
    // Mutations land in the head, where the parser's decisions are.
    for (const { at, kind, code } of mutations) {
      const index = at % (bytes.length + 1);
      if (kind === 'insert') bytes.splice(index, 0, code);
      else if (kind === 'delete') bytes.splice(index, 1);
      else if (index < bytes.length) bytes[index] = code;
    }
    return { head: Buffer.concat([Buffer.from(bytes), Buffer.from(`\r\n\r\n${body}`, 'latin1')]), hasNext };
  });

interface Outcome {
  readonly statuses: number[];
  /** Targets of the upstream's answers that reached the client. */
  readonly answeredUrls: string[];
}

/**
 * Sends `request` (then, when asked, a well-formed request for `/next/<run>`), half-closes, and reads whatever comes
 * back until the router closes the connection.
 */
async function exchange(port: number, request: { head: Buffer; hasNext: boolean }, run: number): Promise<Outcome> {
  const client = await connectRawClient(port);
  const next = request.hasNext ? `GET /next/${run} HTTP/1.1\r\nHost: f.test\r\n\r\n` : '';
  client.send(Buffer.concat([request.head, Buffer.from(next, 'latin1')]));
  client.socket.end();
  let timer: NodeJS.Timeout | undefined;
  const isStuck = await Promise.race([
    client.closed.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 10_000))),
  ]);
  clearTimeout(timer);
  client.socket.destroy();
  if (isStuck)
    throw new Error(`the router neither answered nor closed: ${JSON.stringify(request.head.toString('latin1'))}`);
  const responses = readResponses(client.received(), [], true);
  for (const response of responses) if (response.statusCode < 200) expect(response.statusCode).toBe(100);
  const finals = responses.filter((response) => response.statusCode >= 200);
  return {
    statuses: finals.map((response) => response.statusCode),
    answeredUrls: finals.flatMap((response) => response.headers['x-upstream-url'] ?? []),
  };
}

describe('random and mutated requests against a real router', () => {
  let upstream: JudgedUpstream;
  let edge: TestEdge;

  beforeAll(async () => {
    upstream = await startJudgedUpstream();
    const app = { instanceId: 'app', host: '127.0.0.1', port: upstream.port, releaseNumber: 1, weight: 1 };
    edge = await startTestEdge({ table: { routes: [routeTo('f.test', '/', [app])] } });
  });

  afterAll(async () => {
    await edge.close();
    await removeDir(edge.stateDir);
    await upstream.close();
  });

  it('answers each with a well-formed response of an expected status, and lets only well-formed requests up', async () => {
    const answeredUrls = new Set<string>();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        run += 1;
        const complaintsBefore = upstream.complaints.length;
        const outcome = await exchange(edge.port, request, run);
        expect(upstream.complaints.slice(complaintsBefore)).toEqual([]);
        for (const status of outcome.statuses) expect(allowedStatuses).toContain(status);
        for (const url of outcome.answeredUrls) answeredUrls.add(url);
        // The bytes after a request reach the upstream as a request only when the router took them for one too.
        if (upstream.urls.includes(`/next/${run}`)) expect(outcome.answeredUrls).toContain(`/next/${run}`);
      }),
      { numRuns: 2_500 },
    );
    const after = await exchange(
      edge.port,
      { head: Buffer.from('GET /after HTTP/1.1\r\nHost: f.test\r\n\r\n'), hasNext: false },
      0,
    );
    expect(after).toEqual({ statuses: [200], answeredUrls: ['/after'] });
    // Also for requests that reached the upstream after their client had gone.
    expect(upstream.urls.filter((url) => url.startsWith('/next/') && !answeredUrls.has(url))).toEqual([]);
  });
});
