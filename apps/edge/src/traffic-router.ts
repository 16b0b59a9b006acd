/**
 * The traffic side of one router process: the routing state over the current table, the upstream pool, the
 * counters, the access log and the traffic server. The primary router runs one; each extra worker runs its own.
 */
import type { EdgeMetrics, RoutingTable, WakeRequest } from '@slipway/contract';
import { createColdStartHolds } from './cold-start-holds.js';
import { createFileAccessLog, noAccessLog, type AccessLog } from './access-log.js';
import type { ClientLimits, ClientTimeouts } from './client-limits.js';
import type { EdgeLog } from './edge-log.js';
import { createCertificateSet, type CertificateSet } from './certificate-set.js';
import { emptyTlsState } from './edge-tls-state.js';
import type { EdgeTracer } from './edge-tracer.js';
import { createRouteIndex, type RoutingState } from './route-index.js';
import { createTrafficMetrics } from './traffic-metrics.js';
import { createTrafficServer, type TrafficServer, type TrafficTls } from './traffic-server.js';
import type { TrustedProxies } from './trusted-proxies.js';
import { createUpstreamPool, type UpstreamPoolOptions } from './upstream-pool.js';

export interface TrafficRouterOptions {
  readonly log: EdgeLog;
  /** File the access log (one JSON line per request) is appended to; none when absent. */
  readonly accessLogFile?: string | undefined;
  /** Passive health: failures in a row that eject an upstream, and for how long. */
  readonly passiveHealth?: Pick<UpstreamPoolOptions, 'ejectAfterFailures' | 'ejectionCooldownMs'> | undefined;
  /** The certificate of an HTTPS listener beside the plain one (the primary's only). */
  readonly tls?: TrafficTls | undefined;
  /** Timeouts of each phase of a client connection (see `ClientTimeouts`). */
  readonly clientTimeouts?: Partial<ClientTimeouts> | undefined;
  /** Peers whose forwarding fields are kept and appended to (default none). */
  readonly trustedProxies?: TrustedProxies | undefined;
  /** Caps on client connections and pipelined requests (see `ClientLimits`). */
  readonly clientLimits?: Partial<ClientLimits> | undefined;
  /** Spans sampled requests (docs/tracing.md), owned by the router from now on; tracing is off when absent. */
  readonly tracer?: EdgeTracer | undefined;
  /** A wakeable route held its first request: its process type needs an instance (scale to zero). */
  readonly onWake?: ((request: WakeRequest) => void) | undefined;
}

export interface TrafficRouter {
  readonly traffic: TrafficServer;
  /** Serves `table` from the next request on; upstreams that left it drain. */
  apply(table: RoutingTable): void;
  /** Serves these certificates from the next handshake on, and these challenges from the next request on. */
  applyCertificates(certificates: CertificateSet): void;
  /** Answers these HTTP-01 challenges (token → key authorization) from the next request on (workers). */
  applyHttp01(http01: ReadonlyMap<string, string> | undefined): void;
  /** Requests in flight per instance id, draining upstreams included. */
  inFlight(instanceIds: readonly string[]): Record<string, number>;
  metrics(): EdgeMetrics;
  /** From now on responses carry `Connection: close`. */
  markClosing(): void;
  /** After the traffic has drained: closes idle upstream connections and the access log, and exports the last spans. */
  release(): Promise<void>;
}

export function createTrafficRouter(table: RoutingTable, options: TrafficRouterOptions): TrafficRouter {
  const pool = createUpstreamPool(options.passiveHealth ?? {});
  const metrics = createTrafficMetrics();
  const accessLog: AccessLog =
    options.accessLogFile === undefined ? noAccessLog : createFileAccessLog(options.accessLogFile);
  const state: RoutingState = {
    routes: createRouteIndex(table, pool.slotFor, metrics),
    isClosing: false,
    unrouted: metrics.unrouted,
  };
  let certificates: CertificateSet = createCertificateSet(emptyTlsState);
  const { tracer } = options;
  const holds = createColdStartHolds(options.onWake ?? (() => undefined));
  const traffic = createTrafficServer({
    state,
    holds,
    pool,
    log: options.log,
    accessLog,
    tracer,
    ...(options.clientTimeouts === undefined ? {} : { timeouts: options.clientTimeouts }),
    ...(options.clientLimits === undefined ? {} : { limits: options.clientLimits }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.trustedProxies === undefined ? {} : { trustedProxies: options.trustedProxies }),
    certificates: () => certificates,
  });
  return {
    traffic,
    apply(next) {
      state.routes = createRouteIndex(next, pool.slotFor, metrics);
      metrics.retainApps(next.routes);
      pool.retainOnly(next.routes.flatMap((route) => route.upstreams));
      // Held requests go to the instances the table brings, in the order they came.
      holds.resumeAll();
    },
    applyCertificates(next) {
      certificates = next;
      state.acmeHttp01 = next.http01;
    },
    applyHttp01(http01) {
      state.acmeHttp01 = http01;
    },
    inFlight: (instanceIds) => Object.fromEntries(instanceIds.map((id) => [id, pool.inFlightOf(id)])),
    metrics: metrics.snapshot,
    markClosing() {
      state.isClosing = true;
    },
    async release() {
      pool.destroyAll();
      await accessLog.close();
      await tracer?.shutdown().catch((error: unknown) => options.log.warn({ err: error }, 'last spans not exported'));
    },
  };
}
