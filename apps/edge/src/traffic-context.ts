/** What every client connection and exchange of the traffic server shares. */
import type { Socket } from 'node:net';
import type { AccessLog } from './access-log.js';
import type { ColdStartHolds } from './cold-start-holds.js';
import type { ClientLimits } from './client-limits.js';
import type { EdgeLog } from './edge-log.js';
import type { EdgeTracer } from './edge-tracer.js';
import type { RoutingState } from './route-index.js';
import type { TrustedProxies } from './trusted-proxies.js';
import type { UpstreamPool } from './upstream-pool.js';

/** An exchange waiting for its response head, checked by the timeout sweep. */
export interface TimedExchange {
  /** `performance.now()` after which the route's timeout has passed. */
  readonly deadlineMs: number;
  onTimeout(): void;
}

export interface TrafficContext {
  readonly state: RoutingState;
  readonly pool: UpstreamPool;
  readonly log: EdgeLog;
  readonly accessLog: AccessLog;
  /** Peers whose forwarding fields are kept. */
  readonly trustedProxies: TrustedProxies;
  readonly limits: ClientLimits;
  /** Set when tracing is on: requests it samples get a span and send `traceparent` to the app. */
  readonly tracer: EdgeTracer | undefined;
  /** Requests held for an instance of a wakeable route (scale to zero). */
  readonly holds: ColdStartHolds;
  /** Exchanges waiting for a response head (or, held, for an instance). */
  readonly waiting: Set<TimedExchange>;
  /** Upstream sockets of open tunnels (101 Switching Protocols): shutdown cuts them. */
  readonly tunnels: Set<Socket>;
  /** `performance.now()` as of the last sweep (every 100 ms): idle times need no finer clock. */
  nowMs: number;
}
