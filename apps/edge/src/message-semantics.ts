/**
 * The HTTP semantics an exchange applies to the messages it passes on (RFC 9110, RFC 9112): how a response is
 * delimited, which requests may be sent twice, and the authority of an absolute-form target as the Host.
 */
import type { BodyMode } from './body-framer.js';
import type { HttpHead } from './http-head.js';

/** How a response to a `requestMethod` request is delimited (RFC 9112 §6.3). */
export function responseBodyMode(requestMethod: string, head: HttpHead): BodyMode {
  if (requestMethod === 'HEAD' || head.statusCode === 204 || head.statusCode === 304) return 'none';
  if (head.isChunked) return 'chunked';
  if (head.contentLength !== -1) return 'length';
  return 'close';
}

/** RFC 9110 §9.2.2: methods whose request may be sent twice with the effect of once. */
export const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * RFC 9112 §3.2.2: the authority of an absolute-form target replaces the Host field, so the app sees the host the
 * request was routed by (and gets a Host at all when the client sent none).
 */
export function useAuthorityAsHost(head: HttpHead, authority: string): void {
  head.host = authority;
  const at = head.lowerNames.indexOf('host');
  if (at !== -1) {
    head.values[at] = authority;
    return;
  }
  head.names.push('Host');
  head.lowerNames.push('host');
  head.values.push(authority);
}
