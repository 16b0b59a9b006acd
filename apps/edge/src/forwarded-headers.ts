/**
 * Writes the heads crossing the router: the request head for the upstream and the response head for the client.
 * Drops hop-by-hop fields (and those `Connection` names), adds X-Forwarded-* and X-Request-Id, keeps the others'
 * case and order. Each head is one string built in one pass, written with one call.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { HttpHead } from './http-head.js';

/** RFC 9110 §7.6.1 connection-specific fields, plus the non-standard ones clients still send (`Trailer` is kept: trailers pass through). */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'transfer-encoding',
  'upgrade',
]);

/** Fields the router sets itself on the way to the upstream; the client's values are replaced (For is appended to). */
const forwarded = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']);

export interface ForwardedValues {
  readonly forwardedFor: string;
  readonly forwardedHost: string | undefined;
  readonly forwardedPort: string;
  /** The scheme the client spoke to the router (never the client's own `X-Forwarded-Proto`). */
  readonly forwardedProto: 'http' | 'https';
  /** The client's X-Request-Id, or a new one when it sent none. */
  readonly requestId: string;
  readonly hasClientRequestId: boolean;
}

/** `clientAddress`, `localPort` and `proto` are the client connection's, read once per connection. */
export function forwardedValuesOf(
  head: HttpHead,
  clientAddress: string,
  localPort: string,
  proto: 'http' | 'https' = 'http',
): ForwardedValues {
  const previousFor = head.forwardedFor;
  const clientRequestId = head.requestId;
  const hasClientRequestId = clientRequestId !== undefined && clientRequestId.length > 0;
  return {
    forwardedFor: previousFor === undefined || previousFor === '' ? clientAddress : `${previousFor}, ${clientAddress}`,
    forwardedHost: head.host,
    forwardedPort: localPort,
    forwardedProto: proto,
    requestId: hasClientRequestId ? clientRequestId : randomUUID(),
    hasClientRequestId,
  };
}

/**
 * The request head for the upstream, in origin form (`path` is the request target without scheme and authority).
 * A chunked body keeps its framing; an upgrade keeps `Connection` and `Upgrade` (they are the point).
 */
export function upstreamRequestHead(head: HttpHead, path: string, values: ForwardedValues, isUpgrade: boolean): string {
  let text = `${head.method} ${path} HTTP/1.1\r\n`;
  const { names, lowerNames, values: fieldValues } = head;
  const listed = head.connectionTokens;
  for (let i = 0; i < names.length; i += 1) {
    const lower = lowerNames[i] ?? '';
    if (hopByHop.has(lower)) {
      if (!isUpgrade || (lower !== 'connection' && lower !== 'upgrade')) continue;
    } else if (forwarded.has(lower) || (listed !== undefined && listed.includes(lower))) continue;
    text += `${names[i] ?? ''}: ${fieldValues[i] ?? ''}\r\n`;
  }
  if (head.isChunked) text += 'Transfer-Encoding: chunked\r\n';
  text += `X-Forwarded-For: ${values.forwardedFor}\r\nX-Forwarded-Proto: ${values.forwardedProto}\r\n`;
  if (values.forwardedHost !== undefined) text += `X-Forwarded-Host: ${values.forwardedHost}\r\n`;
  text += `X-Forwarded-Port: ${values.forwardedPort}\r\n`;
  if (!values.hasClientRequestId) text += `X-Request-Id: ${values.requestId}\r\n`;
  return `${text}\r\n`;
}

export interface ResponseHeadOptions {
  /** The `Connection` field to send: `close`, `keep-alive` (HTTP/1.0 clients) or none (HTTP/1.1 default). */
  readonly connection: 'close' | 'keep-alive' | undefined;
  /** The body goes out chunked as it came (else decoded, or not chunked at all). */
  readonly isChunked: boolean;
  /** A 101 keeps `Connection` and `Upgrade`. */
  readonly isUpgrade: boolean;
}

/** The response head for the client: the upstream's status and fields without the hop-by-hop ones. */
export function clientResponseHead(head: HttpHead, options: ResponseHeadOptions): string {
  const reason = head.reason === '' ? (STATUS_CODES[head.statusCode] ?? '') : head.reason;
  let text = `HTTP/1.1 ${head.statusCode} ${reason}\r\n`;
  const { names, lowerNames, values } = head;
  const listed = head.connectionTokens;
  for (let i = 0; i < names.length; i += 1) {
    const lower = lowerNames[i] ?? '';
    if (hopByHop.has(lower)) {
      if (!options.isUpgrade || (lower !== 'connection' && lower !== 'upgrade')) continue;
    } else if (listed !== undefined && listed.includes(lower)) continue;
    // Transfer-Encoding overrode it (RFC 9112 §6.3); sent beside it, a next hop may frame the body by it.
    else if (lower === 'content-length' && head.hasTransferEncoding) continue;
    text += `${names[i] ?? ''}: ${values[i] ?? ''}\r\n`;
  }
  // Other codings (`gzip, chunked`) stay: the client undoes them; the router only delimits the chunks.
  if (options.isChunked)
    text += `Transfer-Encoding: ${head.transferCodings === '' ? 'chunked' : head.transferCodings}\r\n`;
  if (options.connection !== undefined && !options.isUpgrade) text += `Connection: ${options.connection}\r\n`;
  return `${text}\r\n`;
}
