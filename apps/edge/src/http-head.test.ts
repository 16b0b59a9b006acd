import { describe, expect, it } from 'vitest';
import {
  connectionClose,
  connectionKeepAlive,
  connectionOther,
  connectionUpgrade,
  HttpHead,
  maxHeaderCount,
  parseRequestHead,
  parseResponseHead,
  type HeadError,
} from './http-head.js';
import { keepAliveTimeoutSeconds } from './upstream-connection.js';

/** A head as the client connection hands it over: lines joined by CRLF, without the final empty line. */
const lines = (...parts: string[]): string => parts.join('\r\n');

function request(text: string): { head: HttpHead; error: HeadError | undefined } {
  const head = new HttpHead();
  return { head, error: parseRequestHead(text, head) };
}

function response(text: string): { head: HttpHead; error: HeadError | undefined } {
  const head = new HttpHead();
  return { head, error: parseResponseHead(text, head) };
}

/**
 * The refusal of a request head, given a Host when it has none, so that what is refused is the case named and not
 * the missing Host (an HTTP/1.1 request without one is refused too).
 */
const refusal = (text: string): HeadError | undefined => request(withHost(text)).error;

function withHost(text: string): string {
  if (/host:/i.test(text)) return text;
  const lineEnd = text.indexOf('\r\n');
  return lineEnd === -1 ? `${text}\r\nHost: a` : `${text.slice(0, lineEnd)}\r\nHost: a${text.slice(lineEnd)}`;
}

describe('parsing a valid request head', () => {
  it('reads the method, the target, the version and every field in order, names as sent', () => {
    const { head, error } = request(
      lines('POST /items?page=2 HTTP/1.1', 'Host: app.test', 'X-Custom-Name: One', 'content-length: 5'),
    );
    expect(error).toBeUndefined();
    expect(head).toMatchObject({ method: 'POST', target: '/items?page=2', isHttp10: false, host: 'app.test' });
    expect(head.names).toEqual(['Host', 'X-Custom-Name', 'content-length']);
    expect(head.lowerNames).toEqual(['host', 'x-custom-name', 'content-length']);
    expect(head.values).toEqual(['app.test', 'One', '5']);
    expect(head.contentLength).toBe(5);
    expect(head.hasBody).toBe(true);
  });

  it('trims optional whitespace (spaces and tabs) around values but keeps it inside', () => {
    const { head, error } = request(lines('GET / HTTP/1.1', 'Host:app.test', 'X-A: \t a  b \t ', 'X-Empty:   '));
    expect(error).toBeUndefined();
    expect(head.values).toEqual(['app.test', 'a  b', '']);
  });

  it('accepts obs-text (bytes above 0x7f) in values, as latin1 characters', () => {
    const { head, error } = request(lines('GET / HTTP/1.1', 'Host: a.test', 'X-Name: caf\u00c3\u00a9'));
    expect(error).toBeUndefined();
    expect(head.values[1]).toBe('caf\u00c3\u00a9');
  });

  it('has no body without Content-Length or Transfer-Encoding, nor with Content-Length 0', () => {
    expect(request(lines('GET / HTTP/1.1', 'Host: a.test')).head.hasBody).toBe(false);
    const zero = request(lines('POST / HTTP/1.1', 'Host: a.test', 'Content-Length: 0')).head;
    expect(zero.contentLength).toBe(0);
    expect(zero.hasBody).toBe(false);
  });

  it('keeps an HTTP/1.1 connection alive unless it says close', () => {
    expect(request(lines('GET / HTTP/1.1', 'Host: a')).head.isKeepAlive).toBe(true);
    expect(request(lines('GET / HTTP/1.1', 'Host: a', 'Connection: Close')).head.isKeepAlive).toBe(false);
    expect(request(lines('GET / HTTP/1.1', 'Connection: keep-alive, close')).head.isKeepAlive).toBe(false);
  });

  it('keeps an HTTP/1.0 connection alive only when it asks for keep-alive', () => {
    const plain = request(lines('GET / HTTP/1.0', 'Host: a')).head;
    expect(plain.isHttp10).toBe(true);
    expect(plain.isKeepAlive).toBe(false);
    expect(request(lines('GET / HTTP/1.0', 'Connection: Keep-Alive')).head.isKeepAlive).toBe(true);
    expect(request(lines('GET / HTTP/1.0', 'Connection: keep-alive', 'Connection: close')).head.isKeepAlive).toBe(
      false,
    );
  });

  it('reads Connection tokens case-insensitively and lists the other header names it carries', () => {
    const { head } = request(
      lines('GET / HTTP/1.1', 'Connection: Upgrade, X-Secret , ,keep-alive', 'Connection: CLOSE,Other-Hop'),
    );
    expect(head.connection).toBe(connectionUpgrade | connectionOther | connectionKeepAlive | connectionClose);
    expect(head.connectionTokens).toEqual(['x-secret', 'other-hop']);
  });

  it('never takes Content-Length or Host for hop-by-hop fields, whatever Connection says', () => {
    const { head } = request(lines('POST / HTTP/1.1', 'Connection: Content-Length, host, x-a', 'Content-Length: 1'));
    expect(head.connectionTokens).toEqual(['x-a']);
    expect(response(lines('HTTP/1.1 200 OK', 'Connection: content-length')).head.connectionTokens).toBeUndefined();
  });

  it('reads Upgrade, Expect: 100-continue, X-Request-Id (the first) and X-Forwarded-For (all, joined)', () => {
    const { head } = request(
      lines(
        'GET / HTTP/1.1',
        'Upgrade: websocket',
        'Expect: 100-Continue',
        'X-Request-Id: first',
        'X-Request-Id: second',
        'X-Forwarded-For: 203.0.113.1',
        'x-forwarded-for: 198.51.100.2',
        'Accept: text/html',
        'Accept: */*',
      ),
    );
    expect(head.upgrade).toBe('websocket');
    expect(head.expectsContinue).toBe(true);
    expect(head.requestId).toBe('first');
    expect(head.forwardedFor).toBe('203.0.113.1, 198.51.100.2');
    expect(head.accept).toBe('text/html, */*');
  });

  it('accepts every token character in methods and field names', () => {
    const { head, error } = request(lines("M-1!#$%&'*+.^_`|~ / HTTP/1.1", 'Host: a', "X!#$%&'*+-.^_`|~9: v"));
    expect(error).toBeUndefined();
    expect(head.method).toBe("M-1!#$%&'*+.^_`|~");
  });

  it('accepts the same Content-Length twice, and keeps the field once', () => {
    const { head, error } = request(
      lines('POST / HTTP/1.1', 'Host: a', 'Content-Length: 42', 'X-A: 1', 'content-length: 042'),
    );
    expect(error).toBeUndefined();
    expect(head.contentLength).toBe(42);
    expect(head.names).toEqual(['Host', 'Content-Length', 'X-A']);
    expect(head.values).toEqual(['a', '42', '1']);
  });

  it('accepts Content-Length up to 15 digits', () => {
    const { head, error } = request(lines('POST / HTTP/1.1', 'Host: a', 'Content-Length: 999999999999999'));
    expect(error).toBeUndefined();
    expect(head.contentLength).toBe(999_999_999_999_999);
  });

  it('accepts Transfer-Encoding: chunked alone, in any case', () => {
    const { head, error } = request(lines('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: Chunked'));
    expect(error).toBeUndefined();
    expect(head).toMatchObject({ isChunked: true, hasTransferEncoding: true, contentLength: -1, hasBody: true });
  });

  it('accepts exactly the most fields a head may carry', () => {
    const fields = Array.from({ length: maxHeaderCount - 1 }, (_, i) => `X-F${i}: ${i}`);
    const { head, error } = request(lines('GET / HTTP/1.1', 'Host: a', ...fields));
    expect(error).toBeUndefined();
    expect(head.names).toHaveLength(maxHeaderCount);
  });

  it('keeps absolute-form and asterisk-form targets as sent (the exchange splits absolute-form)', () => {
    expect(request(lines('GET http://a.test/x?q=1 HTTP/1.1')).head.target).toBe('http://a.test/x?q=1');
    expect(request(lines('GET HTTPS://A.TEST HTTP/1.1')).head.target).toBe('HTTPS://A.TEST');
    expect(request(lines('OPTIONS * HTTP/1.1')).head.target).toBe('*');
  });
});

describe('refusing a malformed request head', () => {
  it.each([
    ['a bare LF ending a line', 'GET / HTTP/1.1\nHost: a'],
    ['a bare LF inside a value', lines('GET / HTTP/1.1', 'X-A: a\nb')],
    ['a bare CR ending a line', 'GET / HTTP/1.1\rHost: a'],
    ['a bare CR inside a value', lines('GET / HTTP/1.1', 'X-A: a\rb')],
    ['a CR at the very end', lines('GET / HTTP/1.1', 'X-A: a\r')],
    ['a NUL in a value', lines('GET / HTTP/1.1', 'X-A: a\u0000b')],
    ['a NUL in the target', 'GET /a\u0000b HTTP/1.1'],
    ['a control character in a value', lines('GET / HTTP/1.1', 'X-A: a\u0001b')],
    ['an escape character in a value', lines('GET / HTTP/1.1', 'X-A: \u001b[31m')],
    ['DEL in a value', lines('GET / HTTP/1.1', 'X-A: a\u007fb')],
    ['obs-fold with a space', lines('GET / HTTP/1.1', 'X-A: a', ' b')],
    ['obs-fold with a tab', lines('GET / HTTP/1.1', 'X-A: a', '\tb')],
    ['whitespace before the first field', lines('GET / HTTP/1.1', ' Host: a')],
    ['a space before the colon', lines('GET / HTTP/1.1', 'Host : a')],
    ['a tab before the colon', lines('GET / HTTP/1.1', 'Content-Length\t: 5')],
    ['an empty field name', lines('GET / HTTP/1.1', ': a')],
    ['a field line without a colon', lines('GET / HTTP/1.1', 'Host a')],
    ['an empty field line', lines('GET / HTTP/1.1', '', 'Host: a')],
    ['a separator in a field name', lines('GET / HTTP/1.1', 'X(A): a')],
    ['a slash in a field name', lines('GET / HTTP/1.1', 'X/A: a')],
    ['a non-ASCII field name', lines('GET / HTTP/1.1', 'X-\u00e9: a')],
    ['a separator in the method', 'GE(T / HTTP/1.1'],
    ['a non-ASCII method', 'G\u00c9T / HTTP/1.1'],
    ['an empty method', ' / HTTP/1.1'],
    ['an empty head', ''],
    ['a request line without a version', 'GET /'],
    ['a request line of one word', 'GET'],
    ['two spaces after the method', 'GET  / HTTP/1.1'],
    ['two spaces before the version', 'GET /  HTTP/1.1'],
    ['a space inside the target', 'GET /a b HTTP/1.1'],
    ['a tab inside the target', 'GET /a\tb HTTP/1.1'],
    ['a non-ASCII target', 'GET /caf\u00e9 HTTP/1.1'],
    ['a target without a leading slash', 'GET admin/x HTTP/1.1'],
    ['an authority-form target', 'CONNECT a.test:443 HTTP/1.1'],
    ['an asterisk-form target for GET', 'GET * HTTP/1.1'],
    ['a target with another scheme', 'GET ftp://a.test/x HTTP/1.1'],
    ['a scheme without slashes', 'GET http:a.test HTTP/1.1'],
    ['a version in lower case', 'GET / http/1.1'],
    ['a garbage version', 'GET / HTCPCP/1.0'],
    ['a version with a trailing space', 'GET / HTTP/1.1 '],
  ])('answers 400 to %s', (_name, text) => {
    expect(refusal(text)).toBe(400);
  });

  it.each(['HTTP/2.0', 'HTTP/2', 'HTTP/1.2', 'HTTP/0.9', 'HTTP/3.0'])('answers 505 to the version %s', (version) => {
    expect(refusal(lines(`GET / ${version}`, 'Host: a'))).toBe(505);
  });

  it.each([
    ['non-digits', 'abc'],
    ['a digit and letters', '5x'],
    ['hex', '0x10'],
    ['a negative number', '-1'],
    ['a plus sign', '+1'],
    ['a decimal point', '1.0'],
    ['an inner space', '1 2'],
    ['a list', '5, 5'],
    ['an empty value', ''],
    ['16 digits', '1234567890123456'],
  ])('answers 400 to a Content-Length of %s', (_name, value) => {
    expect(refusal(lines('POST / HTTP/1.1', `Content-Length: ${value}`))).toBe(400);
  });

  it('answers 400 to two different Content-Lengths, in either order', () => {
    expect(refusal(lines('POST / HTTP/1.1', 'Content-Length: 4', 'Content-Length: 5'))).toBe(400);
    expect(refusal(lines('POST / HTTP/1.1', 'Content-Length: 5', 'content-length: 0'))).toBe(400);
  });

  it('answers 400 to Transfer-Encoding beside Content-Length, in either order', () => {
    expect(refusal(lines('POST / HTTP/1.1', 'Content-Length: 4', 'Transfer-Encoding: chunked'))).toBe(400);
    expect(refusal(lines('POST / HTTP/1.1', 'Transfer-Encoding: chunked', 'Content-Length: 4'))).toBe(400);
  });

  it('answers 400 to Transfer-Encoding in an HTTP/1.0 request', () => {
    expect(refusal(lines('POST / HTTP/1.0', 'Transfer-Encoding: chunked'))).toBe(400);
  });

  it('answers 501 to codings it does not implement, ending in chunked', () => {
    expect(refusal(lines('POST / HTTP/1.1', 'Transfer-Encoding: gzip, chunked'))).toBe(501);
    expect(refusal(lines('POST / HTTP/1.1', 'Transfer-Encoding: deflate,chunked'))).toBe(501);
  });

  it('answers 400 to chunked applied twice', () => {
    expect(refusal(lines('POST / HTTP/1.1', 'Transfer-Encoding: chunked, chunked'))).toBe(400);
    expect(refusal(lines('POST / HTTP/1.1', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'))).toBe(400);
  });

  it.each([
    ['chunked not last', 'chunked, gzip'],
    ['no chunked at all', 'gzip'],
    ['identity', 'identity'],
    ['an empty value', ''],
    ['a trailing comma', 'chunked,'],
    ['a lookalike', 'chunked-x'],
  ])('answers 400 to a Transfer-Encoding with %s', (_name, value) => {
    expect(refusal(lines('POST / HTTP/1.1', `Transfer-Encoding: ${value}`))).toBe(400);
  });

  it('answers 400 to Transfer-Encoding repeated as a second field', () => {
    expect(refusal(lines('POST / HTTP/1.1', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'))).toBe(400);
    expect(refusal(lines('POST / HTTP/1.1', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'))).toBe(400);
  });

  it('answers 400 to two Host fields, even with the same value', () => {
    expect(refusal(lines('GET / HTTP/1.1', 'Host: a.test', 'Host: b.test'))).toBe(400);
    expect(refusal(lines('GET / HTTP/1.1', 'Host: a.test', 'host: a.test'))).toBe(400);
  });

  it('answers 400 to more fields than a head may carry', () => {
    const fields = Array.from({ length: maxHeaderCount + 1 }, (_, i) => `X-F${i}: ${i}`);
    expect(refusal(lines('GET / HTTP/1.1', ...fields))).toBe(400);
  });
});

describe('parsing a response head', () => {
  it('reads the status, the reason and the fields', () => {
    const { head, error } = response(lines('HTTP/1.1 201 Created Here', 'Content-Length: 3', 'Set-Cookie: a=1'));
    expect(error).toBeUndefined();
    expect(head).toMatchObject({ statusCode: 201, reason: 'Created Here', isHttp10: false, contentLength: 3 });
    expect(head.names).toEqual(['Content-Length', 'Set-Cookie']);
  });

  it('accepts a status line without a reason, or with an empty one', () => {
    expect(response('HTTP/1.1 204').head).toMatchObject({ statusCode: 204, reason: '' });
    expect(response('HTTP/1.1 204 ').head).toMatchObject({ statusCode: 204, reason: '' });
  });

  it('reads HTTP/1.0 responses, which close unless they say keep-alive', () => {
    expect(response(lines('HTTP/1.0 200 OK')).head).toMatchObject({ isHttp10: true, isKeepAlive: false });
    expect(response(lines('HTTP/1.0 200 OK', 'Connection: keep-alive')).head.isKeepAlive).toBe(true);
  });

  it('refuses Transfer-Encoding beside Content-Length, which readers frame differently (llhttp, nginx refuse it)', () => {
    const { error } = response(lines('HTTP/1.1 200 OK', 'Content-Length: 10', 'Transfer-Encoding: chunked'));
    expect(error).toBe(400);
  });

  it('is chunked only when chunked is the last coding, and refuses chunked under another coding', () => {
    const gzipChunked = response(lines('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, chunked')).head;
    expect(gzipChunked).toMatchObject({ isChunked: true, transferCodings: 'gzip, chunked' });
    const gzip = response(lines('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip'));
    expect(gzip.error).toBeUndefined();
    expect(gzip.head).toMatchObject({ isChunked: false, hasTransferEncoding: true, contentLength: -1 });
    expect(response(lines('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, gzip')).error).toBe(400);
  });

  it('lets a second Transfer-Encoding field continue the list', () => {
    const { head } = response(lines('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'));
    expect(head.isChunked).toBe(true);
    const last = response(lines('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip'));
    expect(last.error).toBe(400);
  });

  it('refuses two different Content-Lengths and malformed ones', () => {
    expect(response(lines('HTTP/1.1 200 OK', 'Content-Length: 1', 'Content-Length: 2')).error).toBe(400);
    expect(response(lines('HTTP/1.1 200 OK', 'Content-Length: -1')).error).toBe(400);
  });

  it.each([
    ['an empty head', ''],
    ['a garbage status line', 'HTCPCP/1.0 200 OK'],
    ['HTTP/2', 'HTTP/2 200 OK'],
    ['a version without a status', 'HTTP/1.1'],
    ['a two-digit status', 'HTTP/1.1 20 OK'],
    ['a four-digit status', 'HTTP/1.1 2000 OK'],
    ['a status starting with 0', 'HTTP/1.1 099 Odd'],
    ['letters in the status', 'HTTP/1.1 2x0 OK'],
    ['two spaces before the status', 'HTTP/1.1  200 OK'],
    ['a tab after the status', 'HTTP/1.1 200\tOK'],
    ['a lower-case version', 'http/1.1 200 OK'],
    ['a bare LF', 'HTTP/1.1 200 OK\nContent-Length: 0'],
    ['a NUL in the reason', 'HTTP/1.1 200 O\u0000K'],
    ['obs-fold', lines('HTTP/1.1 200 OK', 'X-A: a', ' b')],
    ['a space before a colon', lines('HTTP/1.1 200 OK', 'Content-Length : 1')],
  ])('refuses %s', (_name, text) => {
    expect(response(text).error).toBe(400);
  });

  it('refuses more fields than a head may carry', () => {
    const fields = Array.from({ length: maxHeaderCount + 1 }, (_, i) => `X-F${i}: ${i}`);
    expect(response(lines('HTTP/1.1 200 OK', ...fields)).error).toBe(400);
  });
});

describe('Keep-Alive timeout hint', () => {
  it('reads timeout=N in seconds, with or without spaces and other parameters', () => {
    expect(keepAliveTimeoutSeconds('timeout=5')).toBe(5);
    expect(keepAliveTimeoutSeconds('timeout = 30, max=1000')).toBe(30);
    expect(keepAliveTimeoutSeconds('max=100, Timeout=2')).toBe(2);
  });

  it('has no hint without a number', () => {
    expect(keepAliveTimeoutSeconds('max=100')).toBeUndefined();
    expect(keepAliveTimeoutSeconds('timeout=')).toBeUndefined();
    expect(keepAliveTimeoutSeconds('timeout')).toBeUndefined();
  });
});
