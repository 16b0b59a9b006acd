/**
 * Parses the head of an HTTP/1.x request or response (RFC 9112), strictly and with the same field grammar both
 * ways: what is ambiguous between two parsers (a bare LF, obs-fold, whitespace before a colon, Content-Length beside
 * Transfer-Encoding, two different Content-Lengths, a Transfer-Encoding that does not end in `chunked` or is not a
 * list of tokens, `Transfer_Encoding` or `Content_Length`, which CGI-style readers take for the real fields) is
 * refused, so the router and the app can never disagree on where a message ends (request smuggling). A request
 * also needs a valid Host (HTTP/1.1) and target (`request-target.ts`). One pass over the text, no regex.
 */
import { parseRequestTarget, isValidAuthority } from './request-target.js';

/** Why a head was refused, as the status the router answers a client with (a bad response head is a 502). */
export type HeadError = 400 | 501 | 505;

/** `Connection` tokens the router acts on, as bits of `HttpHead.connection`. */
export const connectionClose = 1;
export const connectionKeepAlive = 2;
export const connectionUpgrade = 4;
/** Set when `Connection` lists other header names: they are hop-by-hop too and in `connectionTokens`. */
export const connectionOther = 8;

/** Most header fields a head may carry (as Node's default). */
export const maxHeaderCount = 100;
/** Content-Length values beyond 2^53 are refused; 15 digits stay below it. */
const maxLengthDigits = 15;

export class HttpHead {
  /** Request: method and request target as sent. */
  method = '';
  target = '';
  /** Request: the authority of an absolute-form target, else undefined. */
  authority: string | undefined = undefined;
  /** Request: the target in origin form, dot-segments removed (what is routed on and sent upstream). */
  path = '';
  /** Response: status code and reason phrase. */
  statusCode = 0;
  reason = '';
  /** `HTTP/1.0` (else 1.1). */
  isHttp10 = false;
  /** Header names as sent, their lowercased forms and their values (surrounding whitespace trimmed), in order. */
  readonly names: string[] = [];
  readonly lowerNames: string[] = [];
  readonly values: string[] = [];
  /** -1 when absent. */
  contentLength = -1;
  hasTransferEncoding = false;
  /** Transfer-Encoding's codings as sent (lowercased, several fields joined); `''` when absent. */
  transferCodings = '';
  /** Transfer-Encoding's final coding is `chunked`. */
  isChunked = false;
  connection = 0;
  connectionTokens: string[] | undefined = undefined;
  host: string | undefined = undefined;
  upgrade: string | undefined = undefined;
  accept: string | undefined = undefined;
  requestId: string | undefined = undefined;
  /** W3C `traceparent` (the first one: two make it invalid, and the router then starts a new trace). */
  traceparent: string | undefined = undefined;
  forwardedFor: string | undefined = undefined;
  /** `Forwarded` (RFC 7239), several fields joined. */
  forwarded: string | undefined = undefined;
  expectsContinue = false;

  /** The request has a body to forward. */
  get hasBody(): boolean {
    return this.isChunked || this.contentLength > 0;
  }

  /** Whether the sender wants the connection kept after this message. */
  get isKeepAlive(): boolean {
    if ((this.connection & connectionClose) !== 0) return false;
    return !this.isHttp10 || (this.connection & connectionKeepAlive) !== 0;
  }
}

/** Parses a request head: `text` is the head up to, not including, its final CRLF CRLF (latin1). */
export function parseRequestHead(text: string, head: HttpHead): HeadError | undefined {
  if (!hasOnlyCrlfLineEnds(text)) return 400;
  const lineEnd = endOfLine(text, 0);
  const line = text.slice(0, lineEnd);
  const firstSpace = line.indexOf(' ');
  const lastSpace = line.lastIndexOf(' ');
  if (firstSpace <= 0 || lastSpace === firstSpace) return 400;
  const method = line.slice(0, firstSpace);
  const target = line.slice(firstSpace + 1, lastSpace);
  const version = line.slice(lastSpace + 1);
  if (!isToken(method) || !isVisibleAscii(target)) return 400;
  if (version === 'HTTP/1.1') head.isHttp10 = false;
  else if (version === 'HTTP/1.0') head.isHttp10 = true;
  else return version.startsWith('HTTP/') ? 505 : 400;
  const parsed = parseRequestTarget(method, target);
  if (parsed === undefined) return 400;
  head.method = method;
  head.target = target;
  head.authority = parsed.authority;
  head.path = parsed.path;
  const error = parseFields(text, lineEnd, head, true);
  if (error !== undefined) return error;
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400; a Host that is not one authority would be routed by
  // one reading of it and served by another.
  if (head.host === undefined ? !head.isHttp10 : !isValidAuthority(head.host)) return 400;
  if (head.hasTransferEncoding) {
    // A request body must be framed unambiguously: chunked alone, never beside Content-Length, never in HTTP/1.0.
    if (head.contentLength !== -1 || head.isHttp10) return 400;
    if (!head.isChunked) return 501;
  }
  return undefined;
}

/** Parses a response head: `text` is the head up to, not including, its final CRLF CRLF (latin1). */
export function parseResponseHead(text: string, head: HttpHead): HeadError | undefined {
  if (!hasOnlyCrlfLineEnds(text)) return 400;
  const lineEnd = endOfLine(text, 0);
  const line = text.slice(0, lineEnd);
  if (line.startsWith('HTTP/1.1 ')) head.isHttp10 = false;
  else if (line.startsWith('HTTP/1.0 ')) head.isHttp10 = true;
  else return 400;
  const code = line.slice(9, 12);
  if (code.length !== 3 || !isDigits(code) || code.charCodeAt(0) === 48) return 400;
  if (line.length > 12 && line.charCodeAt(12) !== 32) return 400;
  head.statusCode = Number(code);
  head.reason = line.slice(13);
  const error = parseFields(text, lineEnd, head, false);
  if (error !== undefined) return error;
  if (head.hasTransferEncoding) {
    // RFC 9112 §6.3 lets Transfer-Encoding override Content-Length, and calls the pair an error all the same: a
    // reader (llhttp, nginx) that frames by the other one would end the response elsewhere on a reused connection.
    // In HTTP/1.0 (§6.1), and in a 1xx or 204 answer (RFC 9110 §6.4.1, §15.3.5), the framing is faulty too.
    if (head.contentLength !== -1 || head.isHttp10) return 400;
    if (head.statusCode < 200 || head.statusCode === 204) return 400;
  }
  return undefined;
}

function parseFields(text: string, firstLineEnd: number, head: HttpHead, isRequest: boolean): HeadError | undefined {
  let at = firstLineEnd + 2;
  while (at < text.length) {
    const end = endOfLine(text, at);
    const first = text.charCodeAt(at);
    // obs-fold (a line continuing the previous field) is refused, as RFC 9112 §5.2 allows.
    if (first === 32 || first === 9) return 400;
    const colon = text.indexOf(':', at);
    if (colon === -1 || colon >= end || colon === at) return 400;
    const name = text.slice(at, colon);
    if (!isToken(name)) return 400;
    const value = trimOws(text, colon + 1, end);
    if (head.names.length === maxHeaderCount) return 400;
    const lower = name.toLowerCase();
    // A tab around a framing value is OWS to RFC 9110 but part of the value to llhttp: it would frame otherwise.
    if ((lower === 'content-length' || lower === 'transfer-encoding') && hasTab(text, colon + 1, end)) return 400;
    head.names.push(name);
    head.lowerNames.push(lower);
    head.values.push(value);
    const error = noteField(head, lower, value, isRequest);
    if (error !== undefined) return error;
    at = end + 2;
  }
  return undefined;
}

/** Reads the fields the router acts on; refuses the ambiguous ones. */
function noteField(head: HttpHead, lower: string, value: string, isRequest: boolean): HeadError | undefined {
  switch (lower) {
    case 'content-length': {
      if (value.length === 0 || value.length > maxLengthDigits || !isDigits(value)) return 400;
      const length = Number(value);
      if (head.contentLength !== -1) {
        if (head.contentLength !== length) return 400;
        // The same length again (RFC 9110 §8.6): kept once, as the next hop may refuse a repeated field.
        head.names.pop();
        head.lowerNames.pop();
        head.values.pop();
        return undefined;
      }
      head.contentLength = length;
      return undefined;
    }
    case 'transfer-encoding': {
      // A second Transfer-Encoding field continues the list; the last coding decides whether it is chunked.
      const codings = codingsOf(value);
      if (codings === undefined) return 400;
      const last = codings.slice(codings.lastIndexOf(',') + 1).trimStart();
      const isRepeated = head.hasTransferEncoding;
      head.hasTransferEncoding = true;
      head.transferCodings = isRepeated ? `${head.transferCodings}, ${codings}` : codings;
      if (isRequest && (isRepeated || codings !== 'chunked')) {
        // Requests: `chunked` alone. Chunked not last, or twice, is unframeable; other codings are not understood.
        head.isChunked = false;
        return isRepeated || last !== 'chunked' || isChunkedTwice(codings) ? 400 : 501;
      }
      // Responses: `chunked` applied twice, or under another coding, leaves a body two readers delimit differently.
      const all = head.transferCodings.split(', ');
      const chunkedCount = all.filter((coding) => coding === 'chunked').length;
      if (chunkedCount > 1 || (chunkedCount === 1 && all[all.length - 1] !== 'chunked')) return 400;
      head.isChunked = last === 'chunked';
      return undefined;
    }
    case 'connection':
      noteConnection(head, value);
      return undefined;
    case 'host':
      if (isRequest && head.host !== undefined) return 400;
      head.host = value;
      return undefined;
    case 'upgrade':
      head.upgrade = value;
      return undefined;
    case 'accept':
      head.accept = head.accept === undefined ? value : `${head.accept}, ${value}`;
      return undefined;
    case 'x-request-id':
      head.requestId ??= value;
      return undefined;
    case 'traceparent':
      head.traceparent ??= value;
      return undefined;
    case 'x-forwarded-for':
      head.forwardedFor = head.forwardedFor === undefined ? value : `${head.forwardedFor}, ${value}`;
      return undefined;
    case 'forwarded':
      head.forwarded = head.forwarded === undefined ? value : `${head.forwarded}, ${value}`;
      return undefined;
    case 'expect':
      if (value.toLowerCase() === '100-continue') head.expectsContinue = true;
      return undefined;
    default:
      // `Transfer_Encoding` reaches a CGI-style app (PHP, WSGI, Rack) as the real field: never beside the framing.
      if (lower.includes('_')) {
        const dashed = lower.replaceAll('_', '-');
        if (dashed === 'transfer-encoding' || dashed === 'content-length') return 400;
      }
      return undefined;
  }
}

/**
 * A Transfer-Encoding value as a list of codings (RFC 9112 §6.1: tokens separated by commas and OWS), lowercased
 * and joined with `, `; undefined when an element is empty, not a token or has parameters (only space and tab are
 * whitespace here: JavaScript's `trim` would also take a no-break space for one).
 */
function codingsOf(value: string): string | undefined {
  const lower = value.toLowerCase();
  if (isToken(lower)) return lower;
  const codings: string[] = [];
  for (const element of lower.split(',')) {
    const coding = trimOws(element, 0, element.length);
    if (!isToken(coding)) return undefined;
    codings.push(coding);
  }
  return codings.join(', ');
}

function isChunkedTwice(codings: string): boolean {
  return codings.split(', ').filter((coding) => coding === 'chunked').length > 1;
}

function noteConnection(head: HttpHead, value: string): void {
  for (const raw of value.split(',')) {
    const token = trimOws(raw, 0, raw.length).toLowerCase();
    if (token === '') continue;
    if (token === 'close') head.connection |= connectionClose;
    else if (token === 'keep-alive') head.connection |= connectionKeepAlive;
    else if (token === 'upgrade') head.connection |= connectionUpgrade;
    // Framing and routing fields are end-to-end: dropped, a body would reach the next hop unframed (smuggling).
    else if (token === 'content-length' || token === 'host') continue;
    else {
      head.connection |= connectionOther;
      (head.connectionTokens ??= []).push(token);
    }
  }
}

/** Every CR is followed by LF and every LF preceded by CR; no NUL or other control character but HTAB. */
function hasOnlyCrlfLineEnds(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 32 && code !== 127) continue;
    if (code === 9) continue;
    if (code === 13 && text.charCodeAt(i + 1) === 10) {
      i += 1;
      continue;
    }
    return false;
  }
  return true;
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf('\r\n', from);
  return end === -1 ? text.length : end;
}

function trimOws(text: string, from: number, to: number): string {
  let start = from;
  let end = to;
  while (start < end && isOws(text.charCodeAt(start))) start += 1;
  while (end > start && isOws(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(start, end);
}

function hasTab(text: string, from: number, to: number): boolean {
  const at = text.indexOf('\t', from);
  return at !== -1 && at < to;
}

function isOws(code: number): boolean {
  return code === 32 || code === 9;
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** RFC 9110 §5.6.2 tchar: `!#$%&'*+-.^_|~`, digits and letters. */
const tokenChars = (() => {
  const table = new Uint8Array(128);
  for (const char of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    table[char.charCodeAt(0)] = 1;
  return table;
})();

export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i += 1) if (!isTokenCode(text.charCodeAt(i))) return false;
  return true;
}

/** One byte (or char code) of a token. */
export function isTokenCode(code: number): boolean {
  return code < 128 && tokenChars[code] === 1;
}

function isVisibleAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code <= 32 || code >= 127) return false;
  }
  return true;
}
