/**
 * The router's traffic listener: a plain TCP server whose connections speak HTTP/1.x through `ClientConnection`
 * (no node:http objects per request), the timeout sweeps, and the shutdown steps (close idle connections, cut all).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AccessLog } from './access-log.js';
import { ClientConnection, type ClientTimeouts } from './client-connection.js';
import type { EdgeLog } from './edge-log.js';
import type { RoutingState } from './route-index.js';
import type { TimedExchange, TrafficContext } from './traffic-context.js';
import type { UpstreamPool } from './upstream-pool.js';

export interface TrafficServerOptions {
  readonly state: RoutingState;
  readonly pool: UpstreamPool;
  readonly log: EdgeLog;
  readonly accessLog: AccessLog;
  readonly timeouts?: Partial<ClientTimeouts>;
}

export interface TrafficServer {
  /** Listen on it, or on a handle taken over from a predecessor. */
  readonly server: Server;
  /** Client connections open now. */
  readonly connectionCount: () => number;
  /** Closes connections between requests; busy ones close after their response (the state is closing). */
  readonly closeIdleConnections: () => void;
  /** Cuts every client connection and tunnel, busy or not, and stops the sweeps. */
  readonly destroyAll: () => void;
}

/** Response-head timeouts are checked this often; idle and head timeouts every tenth time. */
const sweepIntervalMs = 100;

export function createTrafficServer(options: TrafficServerOptions): TrafficServer {
  const timeouts: ClientTimeouts = { idleMs: 75_000, headMs: 30_000, ...options.timeouts };
  const connections = new Set<ClientConnection>();
  const context: TrafficContext = {
    state: options.state,
    pool: options.pool,
    log: options.log,
    accessLog: options.accessLog,
    waiting: new Set<TimedExchange>(),
    tunnels: new Set<Socket>(),
    nowMs: performance.now(),
  };
  const forget = (connection: ClientConnection): void => {
    connections.delete(connection);
  };
  // Half-open: a client may send its request and shut its side; the answer still goes out before the close.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    connections.add(new ClientConnection(socket, context, forget));
  });

  let ticks = 0;
  const sweeper = setInterval(() => {
    const nowMs = performance.now();
    context.nowMs = nowMs;
    for (const exchange of context.waiting) if (exchange.deadlineMs <= nowMs) exchange.onTimeout();
    ticks += 1;
    if (ticks % 10 !== 0) return;
    for (const connection of connections) connection.sweep(nowMs, timeouts);
    options.pool.sweep(nowMs);
  }, sweepIntervalMs);
  sweeper.unref();

  return {
    server,
    connectionCount: () => connections.size,
    closeIdleConnections: () => {
      for (const connection of connections) connection.closeIfIdle();
    },
    destroyAll: () => {
      clearInterval(sweeper);
      for (const connection of connections) connection.socket.destroy();
      for (const socket of context.tunnels) socket.destroy();
      context.tunnels.clear();
    },
  };
}
