/**
 * A request's id: the caller's `X-Request-Id` when it gives one that is safe to log and echo (1–64 characters of
 * letters, digits and `._:-`), so an id a proxy or client assigned follows the request through slipwayd's log lines,
 * error bodies and the `X-Request-Id` answer; otherwise a new `req_<16 hex>`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const acceptedRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && acceptedRequestId.test(given)) return given;
  return `req_${randomBytes(8).toString('hex')}`;
}
