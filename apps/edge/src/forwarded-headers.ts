/** Rewrites headers crossing the router: drops hop-by-hop headers and adds X-Forwarded-* and X-Request-Id. */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 connection-specific headers, plus the non-standard ones clients still send. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers we set ourselves on the way to the upstream; the client's values are replaced (For is appended to). */
const forwarded = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']);

export interface ForwardedValues {
  readonly forwardedFor: string;
  readonly forwardedHost: string | undefined;
  readonly forwardedPort: string;
  /** The client's X-Request-Id, or a new one when it sent none. */
  readonly requestId: string;
  readonly hasClientRequestId: boolean;
}

export function forwardedValuesOf(req: IncomingMessage): ForwardedValues {
  const previousFor = req.headers['x-forwarded-for'];
  const clientAddress = stripMappedIpv4(req.socket.remoteAddress ?? '');
  const clientRequestId = req.headers['x-request-id'];
  const hasClientRequestId = typeof clientRequestId === 'string' && clientRequestId.length > 0;
  return {
    forwardedFor:
      previousFor === undefined || previousFor === '' ? clientAddress : `${String(previousFor)}, ${clientAddress}`,
    forwardedHost: req.headers.host,
    forwardedPort: String(req.socket.localPort ?? ''),
    requestId: hasClientRequestId ? clientRequestId : randomUUID(),
    hasClientRequestId,
  };
}

/** Headers for the upstream request of a plain (non-upgrade) proxied request. */
export function upstreamRequestHeaders(req: IncomingMessage, values: ForwardedValues): OutgoingHttpHeaders {
  const incoming = req.headers;
  const dropped = connectionListed(incoming.connection);
  const headers: OutgoingHttpHeaders = {};
  for (const name in incoming) {
    if (hopByHop.has(name) || forwarded.has(name) || dropped?.has(name) === true) continue;
    headers[name] = incoming[name];
  }
  // The body keeps its framing: without this Node would send a chunked body of a GET/DELETE unframed.
  if (incoming['transfer-encoding'] !== undefined) headers['transfer-encoding'] = 'chunked';
  headers['x-forwarded-for'] = values.forwardedFor;
  headers['x-forwarded-proto'] = 'http';
  if (values.forwardedHost !== undefined) headers['x-forwarded-host'] = values.forwardedHost;
  headers['x-forwarded-port'] = values.forwardedPort;
  if (!values.hasClientRequestId) headers['x-request-id'] = values.requestId;
  return headers;
}

/** Headers for the client from the upstream's response: the same without the hop-by-hop ones. */
export function clientResponseHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const dropped = connectionListed(incoming.connection);
  const headers: OutgoingHttpHeaders = {};
  for (const name in incoming) {
    if (hopByHop.has(name) || dropped?.has(name) === true) continue;
    headers[name] = incoming[name];
  }
  return headers;
}

/**
 * The request head written verbatim to the upstream socket of an upgrade (WebSocket): header case and
 * order kept, `Connection` and `Upgrade` kept (they are the point), other hop-by-hop headers dropped.
 */
export function upgradeRequestHead(req: IncomingMessage, values: ForwardedValues): string {
  const raw = req.rawHeaders;
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (forwarded.has(lower) || (hopByHop.has(lower) && lower !== 'connection' && lower !== 'upgrade')) continue;
    head += `${name}: ${raw[i + 1] ?? ''}\r\n`;
  }
  head += `X-Forwarded-For: ${values.forwardedFor}\r\nX-Forwarded-Proto: http\r\n`;
  if (values.forwardedHost !== undefined) head += `X-Forwarded-Host: ${values.forwardedHost}\r\n`;
  head += `X-Forwarded-Port: ${values.forwardedPort}\r\n`;
  if (!values.hasClientRequestId) head += `X-Request-Id: ${values.requestId}\r\n`;
  return `${head}\r\n`;
}

/** Headers named in `Connection: a, b` are hop-by-hop too (RFC 9110 §7.6.1). */
function connectionListed(connection: string | undefined): Set<string> | undefined {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return undefined;
  return new Set(connection.split(',').map((token) => token.trim().toLowerCase()));
}

function stripMappedIpv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
