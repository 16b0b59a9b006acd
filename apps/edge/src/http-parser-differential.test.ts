/**
 * Differential fuzzing of the router's parsers against llhttp (Node's own): the same bytes go to `http-head.ts` and
 * `body-framer.ts` and to llhttp. Whatever the router accepts, llhttp must read with the same meaning (method,
 * target, version, fields, payload, and where the message ends: the next message is the same for both). The
 * router may refuse more, never accept what llhttp refuses or read it differently.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyFramer, type BodyMode } from './body-framer.js';
import { responseBodyMode } from './message-semantics.js';
import { HttpHead, isToken, parseRequestHead, parseResponseHead } from './http-head.js';
import { readWithLlhttp, type LlhttpMessage } from './llhttp-reader.js';

const next = 'GET /next HTTP/1.1\r\nHost: h.test\r\n\r\n';
const nextResponse = 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext';

/** How the router reads the first message of `data`: its head and payload, and the bytes after it. */
interface RouterReading {
  readonly head: HttpHead;
  readonly payload: string;
  readonly rest: Buffer;
}

function readWithRouter(kind: 'request' | 'response', data: Buffer): RouterReading | 'refused' | 'incomplete' {
  let start = 0;
  // RFC 9112 §2.2: empty lines before a request line are ignored (the client connection does so).
  if (kind === 'request') while (data[start] === 13 && data[start + 1] === 10) start += 2;
  const headEnd = data.indexOf('\r\n\r\n', start, 'latin1');
  if (headEnd === -1) return 'incomplete';
  const head = new HttpHead();
  const text = data.toString('latin1', start, headEnd);
  const error = kind === 'request' ? parseRequestHead(text, head) : parseResponseHead(text, head);
  if (error !== undefined) return 'refused';
  const framer = new BodyFramer();
  framer.reset(bodyModeOf(kind, head), Math.max(0, head.contentLength));
  const payload: Buffer[] = [];
  const bodyStart = headEnd + 4;
  const bodyEnd = framer.consume(data, bodyStart, data.length, (chunk, from, to) =>
    payload.push(chunk.subarray(from, to)),
  );
  if (bodyEnd === -1) return 'refused';
  framer.endOfInput();
  if (!framer.isComplete) return 'incomplete';
  const decoded = head.isChunked ? Buffer.concat(payload) : data.subarray(bodyStart, bodyEnd);
  return { head, payload: decoded.toString('latin1'), rest: data.subarray(bodyEnd) };
}

/** As the exchange frames them: requests by their head, responses as answers to a GET. */
function bodyModeOf(kind: 'request' | 'response', head: HttpHead): BodyMode {
  if (kind === 'response') return responseBodyMode('GET', head);
  return head.isChunked ? 'chunked' : 'length';
}

/**
 * Where the router and llhttp disagree on bytes the router accepted, in words; undefined when they agree. The bytes
 * of the first message as the router delimits it go to llhttp followed by `following` (another message, when the
 * connection would carry one): llhttp must read the same message and then exactly that one.
 */
function disagreement(kind: 'request' | 'response', data: Buffer, following: string): string | undefined {
  const ours = readWithRouter(kind, data);
  if (ours === 'refused' || ours === 'incomplete') return undefined;
  const head = ours.head;
  const message = data.subarray(0, data.length - ours.rest.length);
  const isCloseDelimited = kind === 'response' && bodyModeOf(kind, head) === 'close';
  // After a close (or a close-delimited body) nothing follows on the connection: llhttp refuses more, and so would
  // the router (it reads no further request, reuses no such upstream connection).
  const hasNext = head.isKeepAlive && !isCloseDelimited;
  const sent = withoutRepeatedLengthLines(message);
  const input = hasNext ? Buffer.concat([sent, Buffer.from(following, 'latin1')]) : sent;
  const theirs = readWithLlhttp(kind, input, !hasNext);
  const first = theirs.messages[0];
  // llhttp knows a fixed list of methods; any other token is a valid method all the same (RFC 9110 §9.1).
  if (theirs.error === 'HPE_INVALID_METHOD' && theirs.messages.length === 0 && isToken(head.method)) return undefined;
  if (first === undefined || !first.isComplete) return `llhttp refused what the router accepted: ${theirs.error}`;
  const problem = kind === 'request' ? requestLineProblem(head, first) : statusLineProblem(head, first);
  if (problem !== undefined) return problem;
  const ourFields = head.names.map((name, i) => `${name}: ${head.values[i] ?? ''}`);
  const theirFields = withoutRepeatedLength(first.fields).map(([name, value]) => `${name}: ${value}`);
  if (ourFields.join('\n') !== theirFields.join('\n'))
    return `fields ${JSON.stringify(ourFields)} vs ${JSON.stringify(theirFields)}`;
  // After a switch of protocols llhttp stops reading: what follows is the tunnel's (the router holds it until then).
  if (first.isUpgrade) return undefined;
  if (ours.payload !== first.body) return `payload ${JSON.stringify(ours.payload)} vs ${JSON.stringify(first.body)}`;
  // Closing where llhttp would keep the connection is stricter; the other way round, the router would read a next
  // message llhttp does not expect.
  if (head.isKeepAlive && !first.isKeepAlive && !isCloseDelimited) return 'keep-alive where llhttp closes';
  if (!hasNext) return theirs.messages.length === 1 ? undefined : 'llhttp reads more than one message';
  const second = theirs.messages[1];
  const seen = kind === 'request' ? second?.url : second?.body;
  if (theirs.messages.length !== 2 || second?.isComplete !== true || seen !== (kind === 'request' ? '/next' : 'next'))
    return `llhttp ends the message elsewhere: ${JSON.stringify(theirs.messages.slice(1))} (${theirs.error})`;
  return undefined;
}

function requestLineProblem(head: HttpHead, first: LlhttpMessage): string | undefined {
  if (first.method !== head.method) return `method ${head.method} vs ${String(first.method)}`;
  if (first.url !== head.target) return `target ${head.target} vs ${first.url}`;
  const version = head.isHttp10 ? '1.0' : '1.1';
  return first.version === version ? undefined : `version ${version} vs ${first.version}`;
}

function statusLineProblem(head: HttpHead, first: LlhttpMessage): string | undefined {
  if (first.statusCode !== head.statusCode) return `status ${head.statusCode} vs ${String(first.statusCode)}`;
  const version = head.isHttp10 ? '1.0' : '1.1';
  return first.version === version ? undefined : `version ${version} vs ${first.version}`;
}

/**
 * The router accepts a Content-Length repeated with the same value (RFC 9110 §8.6) and passes it on once; llhttp
 * refuses the repetition. It gets the message as the router forwards it: with the first of them only.
 */
function withoutRepeatedLengthLines(message: Buffer): Buffer {
  const text = message.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, headEnd).split('\r\n');
  const isLength = (line: string): boolean => /^content-length:/i.test(line);
  const firstLength = lines.findIndex(isLength);
  const kept = lines.filter((line, i) => !isLength(line) || i === firstLength);
  return kept.length === lines.length ? message : Buffer.from(`${kept.join('\r\n')}${text.slice(headEnd)}`, 'latin1');
}

/** The router keeps a Content-Length repeated with the same value once (RFC 9110 §8.6). */
function withoutRepeatedLength(fields: readonly (readonly [string, string])[]): (readonly [string, string])[] {
  let hasLength = false;
  return fields.filter(([name]) => {
    if (name.toLowerCase() !== 'content-length') return true;
    if (hasLength) return false;
    hasLength = true;
    return true;
  });
}

/** Values llhttp and the router might read differently: whitespace of every kind, obs-text, controls. */
const oddText = fc.constantFrom(' ', '\t', '\u000b', '\u000c', '\u00a0', '\u0085', '\u00ff', '\u0000', '\u007f', '"');
const valueArb = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'b', '1', '5', ',', ';', '=', '/') }, oddText), {
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

const framingFieldArb = fc.oneof(
  fc.constantFrom(
    'Content-Length: 5',
    'Content-Length: 05',
    'Content-Length:5',
    'Content-Length: 5 ',
    'Content-Length: +5',
    'Content-Length: 5, 5',
    'content-length: 5',
    'Content-Length: 0',
    'Content-Length: 3',
    'Transfer-Encoding: chunked',
    'Transfer-Encoding: Chunked',
    'Transfer-Encoding:chunked',
    'Transfer-Encoding: gzip, chunked',
    'Transfer-Encoding: chunked, gzip',
    'Transfer-Encoding: identity',
    'Transfer-Encoding: chunked,',
    'Transfer-Encoding: ,chunked',
    'Transfer-Encoding: chunked\u00a0',
    'Transfer-Encoding: chunked\u000b',
    'Transfer-Encoding: \tchunked\t',
    'Transfer_Encoding: chunked',
    'Content_Length: 5',
    'Transfer-Encoding : chunked',
    'Connection: close',
    'Connection: keep-alive',
    'Connection: upgrade',
    'Connection: close\u00a0',
    'Connection: keep-alive, close',
    'Upgrade: websocket',
    'Expect: 100-continue',
  ),
  fc
    .tuple(fc.constantFrom('Content-Length', 'Transfer-Encoding', 'Connection', 'X-A'), valueArb)
    .map(([name, value]) => `${name}: ${value}`),
);

/** Field lines whose structure is odd: names with separators or non-ASCII, no colon, folds, leading whitespace. */
const oddLineArb = fc.oneof(
  fc
    .tuple(fc.constantFrom('X_A', 'X A', 'X\tA', 'X\u00c4', 'X"A', 'X/A', 'X;A', '', 'Host', 'X-A'), valueArb)
    .map(([name, value]) => `${name}:${value}`),
  fc.constantFrom(' X-A: 1', '\tX-A: 1', 'X-A 1', 'X-A : 1', ' folded', '\tfolded', 'X-A:\u0000', ':', 'X-A::'),
);

const hostArb = fc.constantFrom(
  'Host: h.test',
  'Host: h.test:8080',
  'Host: H.TEST',
  'Host: [::1]:80',
  'Host: h.test:@evil.test',
  'Host: u@h.test',
  'Host: ',
  'Host: h.test\u00a0',
);

const methodArb = fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'CONNECT', 'PATCH', 'PURGE', 'X-Custom');
const targetArb = fc.constantFrom(
  '/',
  '/a/b?c=d',
  '/a/../b',
  '/%2e%2e/x',
  '*',
  'http://h.test/x',
  'http://u@h.test/',
  'h.test:443',
  '/a#b',
  '//x',
  '/a\\b',
  '/a?b=\u00e9',
  '/a?x=%',
);
const versionArb = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/1.2', 'http/1.1');
const lineEndArb = fc.constantFrom('\r\n', '\r\n', '\r\n', '\r\n', '\n', '\r');

/** A chunked body, mostly well formed; the alternatives probe the framer's grammar. */
const chunkedBodyArb = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom('', '', ';a', ';a=b', ';a="q ;\\""', '; a', ';a =b', ';a=', ';"x"', ';a=b c', ';a=\u00ff', ' '),
        fc.constantFrom(0, 0, 0, 1, -1),
        fc.constantFrom('\r\n', '\r\n', '\r\n', '\n', ''),
      ),
      { maxLength: 3 },
    ),
    fc.constantFrom('0', '00', '0;z'),
    fc.array(fc.constantFrom('T: 1', 'T:1', 'T : 1', ' T: 1', 'T: \u0001', 'T: \u00ff', 'T', 'Content-Length: 5'), {
      maxLength: 2,
    }),
    fc.constantFrom('\r\n', '\r\n', '\n'),
  )
  .map(([chunks, last, trailers, finalEnd]) => {
    let text = '';
    for (const [size, extension, skew, dataEnd] of chunks)
      text += `${size.toString(16)}${extension}\r\n${'d'.repeat(size + skew)}${dataEnd}`;
    return `${text}${last}\r\n${trailers.map((line) => `${line}\r\n`).join('')}${finalEnd}`;
  });

const bodyArb = fc.oneof(fc.constant(''), fc.constant('hello'), chunkedBodyArb);

const requestArb = fc
  .tuple(
    methodArb,
    targetArb,
    versionArb,
    fc.option(hostArb, { freq: 4, nil: undefined }),
    fc.array(fc.oneof({ weight: 3, arbitrary: framingFieldArb }, oddLineArb), { maxLength: 3 }),
    lineEndArb,
    bodyArb,
  )
  .map(([method, target, version, host, fields, lineEnd, body]) => {
    const lines = [`${method} ${target} ${version}`, ...(host === undefined ? [] : [host]), ...fields];
    return `${lines.join(lineEnd)}\r\n\r\n${body}`;
  });

const responseArb = fc
  .tuple(
    fc.constantFrom(
      'HTTP/1.1 200 OK',
      'HTTP/1.1 204 No Content',
      'HTTP/1.1 304 ',
      'HTTP/1.1 404',
      'HTTP/1.0 200 OK',
      'HTTP/1.1 200 \u00e9t\u00e9',
      'HTTP/1.1 200  OK',
      'HTTP/1.1 099 X',
      'HTTP/1.1 1000 X',
      'HTTP/1.1 200\tOK',
      'HTTP/1.1  200 OK',
    ),
    fc.array(fc.oneof({ weight: 3, arbitrary: framingFieldArb }, oddLineArb), { maxLength: 3 }),
    lineEndArb,
    bodyArb,
  )
  .map(([statusLine, fields, lineEnd, body]) => `${[statusLine, ...fields].join(lineEnd)}\r\n\r\n${body}`);

const runs = { numRuns: 3_000 };

describe('the router reads nothing llhttp reads differently', () => {
  it('reads request heads and bodies the way llhttp does, or refuses them', () => {
    const problems: string[] = [];
    fc.assert(
      fc.property(requestArb, (text) => {
        const problem = disagreement('request', Buffer.from(text + next, 'latin1'), next);
        if (problem !== undefined) problems.push(`${problem} in ${JSON.stringify(text)}`);
      }),
      runs,
    );
    expect(problems.slice(0, 10).join('\n')).toBe('');
  });

  it('reads response heads and bodies the way llhttp does, or refuses them', () => {
    const problems: string[] = [];
    fc.assert(
      fc.property(responseArb, (text) => {
        const problem = disagreement('response', Buffer.from(text + nextResponse, 'latin1'), nextResponse);
        if (problem !== undefined) problems.push(`${problem} in ${JSON.stringify(text)}`);
      }),
      runs,
    );
    expect(problems.slice(0, 10).join('\n')).toBe('');
  });

  it('ends a chunked body where llhttp does, with the same payload, or refuses it', () => {
    const problems: string[] = [];
    fc.assert(
      fc.property(chunkedBodyArb, fc.boolean(), (body, isRequest) => {
        const text = isRequest
          ? `POST /up HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: chunked\r\n\r\n${body}`
          : `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
        const following = isRequest ? next : nextResponse;
        const problem = disagreement(
          isRequest ? 'request' : 'response',
          Buffer.from(text + following, 'latin1'),
          following,
        );
        if (problem !== undefined) problems.push(`${problem} in ${JSON.stringify(body)}`);
      }),
      runs,
    );
    expect(problems.slice(0, 10).join('\n')).toBe('');
  });

  it('finds the fixed cases of the review read alike, or refused', () => {
    const cases: ['request' | 'response', string][] = [
      ['response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\u00a0\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
      ['response', 'HTTP/1.1 200 OK\r\nTransfer_Encoding: chunked\r\nContent-Length: 2\r\n\r\nok'],
      ['request', 'POST / HTTP/1.1\r\nHost: h.test\r\nTransfer_Encoding: chunked\r\nContent-Length: 0\r\n\r\n'],
      ['request', 'CONNECT / HTTP/1.1\r\nHost: h.test\r\n\r\n'],
    ];
    for (const [kind, text] of cases) {
      const following = kind === 'request' ? next : nextResponse;
      expect(readWithRouter(kind, Buffer.from(text + following, 'latin1'))).toBe('refused');
    }
  });
});
