/**
 * The router's traffic listeners: a plain TCP server whose connections speak HTTP/1.x through `ClientConnection`
 * (no node:http objects per request) and, optionally, a TLS server whose decrypted sockets (`TLSSocket`s are
 * `net.Socket`s) go to the same `ClientConnection`, marked `https`; the timeout sweeps, and the shutdown steps (close
 * idle connections, cut all).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { AccessLog } from './access-log.js';
import { ClientConnection, type ClientTimeouts } from './client-connection.js';
import type { EdgeLog } from './edge-log.js';
import type { RoutingState } from './route-index.js';
import type { TimedExchange, TrafficContext } from './traffic-context.js';
import { noTrustedProxies, type TrustedProxies } from './trusted-proxies.js';
import type { UpstreamPool } from './upstream-pool.js';

export interface TrafficServerOptions {
  readonly state: RoutingState;
  readonly pool: UpstreamPool;
  readonly log: EdgeLog;
  readonly accessLog: AccessLog;
  readonly timeouts?: Partial<ClientTimeouts>;
  /** Peers whose X-Forwarded-*, X-Real-IP and Forwarded are kept (default none). */
  readonly trustedProxies?: TrustedProxies;
  /** When set, `secureServer` serves HTTPS with this certificate (no SNI: one certificate for every host). */
  readonly tls?: TrafficTls;
}

/** A PEM certificate chain and its private key. */
export interface TrafficTls {
  readonly cert: string;
  readonly key: string;
}

export interface TrafficServer {
  /** Listen on it, or on a handle taken over from a predecessor. */
  readonly server: Server;
  /** The HTTPS listener, when `tls` was given; listen on it (or on a handle taken over) like `server`. */
  readonly secureServer: TlsServer | undefined;
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
    trustedProxies: options.trustedProxies ?? noTrustedProxies,
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
  const { tls } = options;
  // A handshake must complete within the request-head timeout (slow-loris before the first byte of HTTP); after it,
  // the same timeouts as plain HTTP.
  const secureServer =
    tls === undefined
      ? undefined
      : createTlsServer(
          {
            cert: tls.cert,
            key: tls.key,
            allowHalfOpen: true,
            noDelay: true,
            minVersion: 'TLSv1.2',
            handshakeTimeout: timeouts.headMs,
          },
          (socket) => {
            connections.add(new ClientConnection(socket, context, forget, 'https'));
          },
        );
  // A failed handshake is the client's problem, not the router's: it closes that socket only.
  secureServer?.on('tlsClientError', (_error, socket) => socket.destroy());
  // Sockets still in their handshake are no ClientConnection yet (a client that gave up on the certificate leaves
  // one half-open): they are cut with the rest.
  const handshaking = new Set<Socket>();
  secureServer?.on('connection', (socket: Socket) => {
    handshaking.add(socket);
    socket.once('close', () => handshaking.delete(socket));
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
    secureServer,
    connectionCount: () => connections.size,
    closeIdleConnections: () => {
      for (const connection of connections) connection.closeIfIdle();
    },
    destroyAll: () => {
      clearInterval(sweeper);
      for (const connection of connections) connection.socket.destroy();
      for (const socket of handshaking) socket.destroy();
      handshaking.clear();
      for (const socket of context.tunnels) socket.destroy();
      context.tunnels.clear();
    },
  };
}
