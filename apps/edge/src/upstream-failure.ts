/**
 * An upstream that failed a request: noted for passive health (ejected after consecutive failures), logged, and
 * where the request goes next. A refused connect provably sent nothing: any request goes to another upstream. A
 * reused connection the upstream closed without answering may have delivered the request all the same: only an
 * idempotent one without a body is sent again (RFC 9110 §9.2.2), never a POST or a PATCH.
 */
import type { EdgeLog } from './edge-log.js';
import type { HttpHead } from './http-head.js';
import { idempotentMethods } from './message-semantics.js';
import { retryTarget, type RouteTarget, type UpstreamTarget } from './route-index.js';
import type { ReleaseLane } from './traffic-split.js';
import type { UpstreamConnection, UpstreamFailure } from './upstream-connection.js';
import type { UpstreamPool } from './upstream-pool.js';

/** Counts a failure (a connect error, a 5xx, a timeout) against the upstream's passive health. */
export function noteUpstreamFailure(pool: UpstreamPool, log: EdgeLog, chosen: UpstreamTarget): void {
  if (pool.recordFailure(chosen.slot)) {
    log.warn(
      { instanceId: chosen.upstream.instanceId, upstream: upstreamAddressOf(chosen) },
      'upstream ejected after consecutive failures',
    );
  }
}

/**
 * The upstream to send the request to again, or undefined when it may not be (or no other is left). `isUnconfirmed`:
 * every byte written is still kept, to be replayed (the connect never succeeded).
 */
export function upstreamRetryOf(
  reason: UpstreamFailure,
  upstream: UpstreamConnection,
  head: HttpHead,
  isUnconfirmed: boolean,
  target: RouteTarget,
  lane: ReleaseLane | undefined,
  chosen: UpstreamTarget,
): UpstreamTarget | undefined {
  const isStale = reason === 'closed' && upstream.exchangesServed > 0 && !upstream.hasResponseBytes;
  const canRetry =
    (reason === 'connect' && isUnconfirmed) || (isStale && !head.hasBody && idempotentMethods.has(head.method));
  if (!canRetry) return undefined;
  // Under a split a retry stays in the request's release first; a stale connection's upstream may be asked again.
  return retryTarget(target, lane, chosen) ?? (isStale ? chosen : undefined);
}

/** Logs an upstream that failed a request unanswered, and the upstream `next` it is sent to again, if any. */
export function logUpstreamFailure(
  log: EdgeLog,
  requestId: string,
  chosen: UpstreamTarget,
  next: UpstreamTarget | undefined,
  reason: UpstreamFailure,
  error: Error | undefined,
): void {
  const upstream = upstreamAddressOf(chosen);
  if (next !== undefined)
    log.warn(
      { requestId, upstream, retryUpstream: upstreamAddressOf(next), err: error },
      'upstream connect failed, retrying',
    );
  else
    log.warn(
      { requestId, upstream, reason, err: error },
      reason === 'bad-response' ? 'upstream sent an invalid response' : 'upstream unreachable',
    );
}

/** `host:port` of an upstream, as logs show it. */
function upstreamAddressOf(target: UpstreamTarget): string {
  return `${target.upstream.host}:${target.upstream.port}`;
}
