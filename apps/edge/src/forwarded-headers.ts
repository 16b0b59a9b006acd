/**
 * Writes the heads crossing the router: the request head for the upstream and the response head for the client.
 * Drops hop-by-hop fields (and those `Connection` names), sets every forwarding field (X-Forwarded-*, X-Real-IP,
 * Forwarded: a client's own are dropped, a trusted proxy's kept and appended to) and X-Request-Id (and `traceparent`
 * on a traced request), keeps the others' case and order. Each head is one string built in one pass, written with one call.
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

/**
 * Fields that say who asked, as bits: the router sets each of them. From a trusted proxy, For and Forwarded are
 * appended to and the others kept when present; from anyone else they are dropped and replaced.
 */
const forwardingFields = new Map([
  ['x-forwarded-for', 1],
  ['x-forwarded-proto', 2],
  ['x-forwarded-host', 4],
  ['x-forwarded-port', 8],
  ['x-real-ip', 16],
  ['forwarded', 32],
]);
/** The fields the router writes merged (the proxy's value and its own), never as the proxy sent them. */
const mergedFields = 1 | 32;

/** The forwarding field `lower` names (an `_` spelling too: CGI-style readers take it for the field), else 0. */
function forwardingFieldOf(lower: string): number {
  const bit = forwardingFields.get(lower);
  if (bit !== undefined) return bit;
  if (!lower.includes('_')) return 0;
  // `X_Forwarded_For` is always dropped: no bit a trusted proxy's field could keep.
  return forwardingFields.has(lower.replaceAll('_', '-')) ? -1 : 0;
}

/** What a forwarding field sent by the client sets in `upstreamRequestHead`: kept (its bit), or dropped (-1). */
function keptFieldBit(lower: string, isTrustedPeer: boolean): number {
  const bit = forwardingFieldOf(lower);
  if (bit === 0) return 0;
  return isTrustedPeer && bit > 0 && (bit & mergedFields) === 0 ? bit : -1;
}

export interface ForwardedValues {
  /** The client address, after a trusted proxy's own list. */
  readonly forwardedFor: string;
  /** The `Forwarded` value: a trusted proxy's, then this hop's element. */
  readonly forwarded: string;
  readonly clientAddress: string;
  readonly isTrustedPeer: boolean;
  readonly forwardedHost: string | undefined;
  readonly forwardedPort: string;
  /** The scheme the client spoke to the router (never the client's own `X-Forwarded-Proto`). */
  readonly forwardedProto: 'http' | 'https';
  /** The client's X-Request-Id, or a new one when it sent none. */
  readonly requestId: string;
  readonly hasClientRequestId: boolean;
}

/** What the router knows of a client connection, read once per connection. */
export interface ForwardingPeer {
  readonly clientAddress: string;
  readonly localPort: string;
  readonly proto: 'http' | 'https';
  /** Only a trusted proxy's forwarding fields are kept. */
  readonly isTrustedPeer: boolean;
}

export function forwardedValuesOf(head: HttpHead, peer: ForwardingPeer): ForwardedValues {
  const { clientAddress, localPort, proto, isTrustedPeer } = peer;
  const previousFor = isTrustedPeer ? head.forwardedFor : undefined;
  const previous = isTrustedPeer ? head.forwarded : undefined;
  const element = forwardedElement(clientAddress, head.host, proto);
  const clientRequestId = head.requestId;
  const hasClientRequestId = clientRequestId !== undefined && clientRequestId.length > 0;
  return {
    forwardedFor: previousFor === undefined || previousFor === '' ? clientAddress : `${previousFor}, ${clientAddress}`,
    forwarded: previous === undefined || previous === '' ? element : `${previous}, ${element}`,
    clientAddress,
    isTrustedPeer,
    forwardedHost: head.host,
    forwardedPort: localPort,
    forwardedProto: proto,
    requestId: hasClientRequestId ? clientRequestId : randomUUID(),
    hasClientRequestId,
  };
}

/**
 * RFC 7239 §4: `for=` the client (an IPv6 address quoted in brackets), `host=` quoted (a validated authority holds no
 * quote or backslash), `proto=`.
 */
function forwardedElement(clientAddress: string, host: string | undefined, proto: string): string {
  const node = clientAddress === '' ? 'unknown' : clientAddress.includes(':') ? `"[${clientAddress}]"` : clientAddress;
  return host === undefined ? `for=${node};proto=${proto}` : `for=${node};host="${host}";proto=${proto}`;
}

/**
 * The request head for the upstream, in origin form (`path` is the request target without scheme and authority).
 * A chunked body keeps its framing; an upgrade keeps `Connection` and `Upgrade` (they are the point).
 */
export function upstreamRequestHead(
  head: HttpHead,
  path: string,
  values: ForwardedValues,
  isUpgrade: boolean,
  traceparent?: string,
): string {
  let text = `${head.method} ${path} HTTP/1.1\r\n`;
  const { names, lowerNames, values: fieldValues } = head;
  const listed = head.connectionTokens;
  /** Bits of the forwarding fields a trusted proxy sent, kept as they are. */
  let kept = 0;
  for (let i = 0; i < names.length; i += 1) {
    const lower = lowerNames[i] ?? '';
    if (hopByHop.has(lower)) {
      if (!isUpgrade || (lower !== 'connection' && lower !== 'upgrade')) continue;
    } else if (listed !== undefined && listed.includes(lower)) continue;
    else if (traceparent !== undefined && lower === 'traceparent') continue;
    else {
      const bit = keptFieldBit(lower, values.isTrustedPeer);
      if (bit === -1) continue;
      kept |= bit;
    }
    text += `${names[i] ?? ''}: ${fieldValues[i] ?? ''}\r\n`;
  }
  if (head.isChunked) text += 'Transfer-Encoding: chunked\r\n';
  text += `X-Forwarded-For: ${values.forwardedFor}\r\nForwarded: ${values.forwarded}\r\n`;
  if ((kept & 2) === 0) text += `X-Forwarded-Proto: ${values.forwardedProto}\r\n`;
  if ((kept & 4) === 0 && values.forwardedHost !== undefined) text += `X-Forwarded-Host: ${values.forwardedHost}\r\n`;
  if ((kept & 8) === 0) text += `X-Forwarded-Port: ${values.forwardedPort}\r\n`;
  if ((kept & 16) === 0) text += `X-Real-IP: ${values.clientAddress}\r\n`;
  if (!values.hasClientRequestId) text += `X-Request-Id: ${values.requestId}\r\n`;
  // A traced request: the app's spans are children of the router's (the client's own value was dropped above).
  if (traceparent !== undefined) text += `traceparent: ${traceparent}\r\n`;
  return `${text}\r\n`;
}

export interface ResponseHeadOptions {
  /** The `Connection` field to send: `close`, `keep-alive` (HTTP/1.0 clients) or none (HTTP/1.1 default). */
  readonly connection: 'close' | 'keep-alive' | undefined;
  /** The body goes out chunked as it came (else decoded, or not chunked at all). */
  readonly isChunked: boolean;
  /** A 101 keeps `Connection` and `Upgrade`. */
  readonly isUpgrade: boolean;
  /** A `Set-Cookie` value the router adds (a traffic split's sticky bucket), after the upstream's own fields. */
  readonly setCookie?: string | undefined;
  /** Add `X-Robots-Tag: noindex` (a preview's route), after the upstream's own fields. */
  readonly isNoindex?: boolean;
  /** A whole `Strict-Transport-Security` field line to add (HTTPS responses of a route with HSTS). */
  readonly hstsField?: string | undefined;
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
    text += `${names[i] ?? ''}: ${values[i] ?? ''}\r\n`;
  }
  // Other codings (`gzip, chunked`) stay: the client undoes them; the router only delimits the chunks.
  if (options.isChunked)
    text += `Transfer-Encoding: ${head.transferCodings === '' ? 'chunked' : head.transferCodings}\r\n`;
  if (options.setCookie !== undefined) text += `Set-Cookie: ${options.setCookie}\r\n`;
  if (options.isNoindex === true) text += 'X-Robots-Tag: noindex\r\n';
  if (options.hstsField !== undefined) text += options.hstsField;
  if (options.connection !== undefined && !options.isUpgrade) text += `Connection: ${options.connection}\r\n`;
  return `${text}\r\n`;
}
