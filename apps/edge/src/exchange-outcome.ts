/**
 * What a finished exchange leaves behind: its route out of flight, the response counted (route or unrouted, and the
 * release that answered), one access log line, and its span ended. Arguments are positional (the access log's too) so
 * that recording a request makes no object.
 */
import type { Span } from '@opentelemetry/api';
import type { RouteTarget, UpstreamTarget } from './route-index.js';
import type { TrafficContext } from './traffic-context.js';
import { countResponse, methodIndexOf } from './traffic-metrics.js';

/**
 * Records one exchange once its response is complete or abandoned. `target` is the route it was sent on (undefined
 * when the router answered before routing it), `isUnrouted` says no route matched, and `answered` is the upstream
 * whose response head it relayed (undefined when the answer was the router's own).
 */
export function recordExchangeOutcome(
  context: TrafficContext,
  target: RouteTarget | undefined,
  isUnrouted: boolean,
  answered: UpstreamTarget | undefined,
  span: Span | undefined,
  method: string,
  host: string,
  path: string,
  status: number,
  startedAtMs: number,
  sentBytes: number,
  requestId: string,
): void {
  const durationUs = Math.round((performance.now() - startedAtMs) * 1_000);
  const methodIndex = methodIndexOf(method);
  if (target !== undefined) {
    target.counters.active -= 1;
    countResponse(target.counters, status, durationUs, methodIndex);
  } else if (isUnrouted) countResponse(context.state.unrouted, status, durationUs, methodIndex);
  if (answered !== undefined) countResponse(answered.releaseCounters, status, durationUs, methodIndex);
  const instanceId = answered === undefined ? null : answered.upstream.instanceId;
  const release = answered === undefined ? null : answered.upstream.releaseNumber;
  context.accessLog.record(method, host, path, status, instanceId, release, durationUs, sentBytes, requestId);
  if (span !== undefined) context.tracer?.endSpan(span, status, target?.route.app);
}
