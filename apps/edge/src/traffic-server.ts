/**
 * The router's traffic listeners: a plain TCP server whose connections speak HTTP/1.x through `ClientConnection`
 * (no node:http objects per request) and, optionally, a TLS server whose decrypted sockets (`TLSSocket`s are
 * `net.Socket`s) go to the same `ClientConnection`, marked `https`; the timeout sweeps, and the shutdown steps (close
 * idle connections, cut all), and the caps on client connections (`ConnectionAdmission`).
 */
import type { EdgeTracer } from './edge-tracer.js';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { AccessLog } from './access-log.js';
import { answerAlpnChallenge } from './alpn-challenge.js';
import { acmeTlsAlpnProtocol, type CertificateSet } from './certificate-set.js';
import { peekClientHello } from './client-hello.js';
import { ClientConnection, clientAddressOf } from './client-connection.js';
import { defaultClientLimits, defaultClientTimeouts, type ClientLimits, type ClientTimeouts } from './client-limits.js';
import { ConnectionAdmission } from './connection-admission.js';
import type { EdgeLog } from './edge-log.js';
import type { RoutingState } from './route-index.js';
import type { TimedExchange, TrafficContext } from './traffic-context.js';
import { createColdStartHolds, type ColdStartHolds } from './cold-start-holds.js';
import { noTrustedProxies, type TrustedProxies } from './trusted-proxies.js';
import type { UpstreamPool } from './upstream-pool.js';

export interface TrafficServerOptions {
  readonly state: RoutingState;
  /** Requests held for wakeable routes; none held when absent. */
  readonly holds?: ColdStartHolds | undefined;
  readonly pool: UpstreamPool;
  readonly log: EdgeLog;
  readonly accessLog: AccessLog;
  /** Spans sampled requests when tracing is on. */
  readonly tracer: EdgeTracer | undefined;
  readonly timeouts?: Partial<ClientTimeouts>;
  /** Peers whose X-Forwarded-*, X-Real-IP and Forwarded are kept (default none). */
  readonly trustedProxies?: TrustedProxies;
  readonly limits?: Partial<ClientLimits>;
  /** When set, `secureServer` serves HTTPS: by SNI a host's certificate from `certificates`, else this one. */
  readonly tls?: TrafficTls;
  /** The current per-host certificates and ACME challenges (read at each handshake; swapped whole). */
  readonly certificates?: () => CertificateSet;
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
  /** Client connections open now (refused ones not counted). */
  readonly connectionCount: () => number;
  /** Client connections refused for the caps since the start. */
  readonly refusedCount: () => number;
  /** TLS handshakes under way on the HTTPS listener (not connections yet). */
  readonly handshakeCount: () => number;
  /** Closes connections between requests; busy ones close after their response (the state is closing). */
  readonly closeIdleConnections: () => void;
  /** Cuts every client connection and tunnel, busy or not, and stops the sweeps. */
  readonly destroyAll: () => void;
}

/** Response-head timeouts are checked this often; the phases of client connections every tenth time. */
const sweepIntervalMs = 100;

export function createTrafficServer(options: TrafficServerOptions): TrafficServer {
  const timeouts: ClientTimeouts = { ...defaultClientTimeouts, ...options.timeouts };
  const limits: ClientLimits = { ...defaultClientLimits, ...options.limits };
  const connections = new Set<ClientConnection>();
  const admission = new ConnectionAdmission(limits);
  const context: TrafficContext = {
    state: options.state,
    holds: options.holds ?? createColdStartHolds(() => undefined),
    pool: options.pool,
    log: options.log,
    accessLog: options.accessLog,
    tracer: options.tracer,
    trustedProxies: options.trustedProxies ?? noTrustedProxies,
    limits,
    waiting: new Set<TimedExchange>(),
    tunnels: new Set<Socket>(),
    nowMs: performance.now(),
  };
  const forget = (connection: ClientConnection): void => {
    if (connections.delete(connection)) admission.release(connection.clientAddress);
  };
  /** Raw sockets of the HTTPS listener still in their handshake, by client address and port. */
  const handshaking = new Map<string, Socket>();
  const endHandshake = (key: string, address: string): void => {
    if (handshaking.delete(key)) admission.handshakeEnded(address);
  };
  const accept = (socket: Socket, proto: 'http' | 'https'): void => {
    const address = clientAddressOf(socket);
    if (proto === 'https') endHandshake(`${address}:${socket.remotePort ?? ''}`, address);
    if (admission.admit(socket, address, context.nowMs))
      connections.add(new ClientConnection(socket, address, context, forget, proto));
  };
  // Half-open: a client may send its request and shut its side; the answer still goes out before the close.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => accept(socket, 'http'));
  const { tls, certificates } = options;
  // A handshake must complete within the request-head timeout (slow-loris before the first byte of HTTP); after it,
  // the same timeouts as plain HTTP.
  const secureServer =
    tls === undefined
      ? undefined
      : createTlsServer(
          {
            cert: tls.cert,
            key: tls.key,
            // A falsy context keeps the listener's own certificate (hosts without one of their own).
            SNICallback: (servername, done) => done(null, certificates?.().contextFor(servername)),
            allowHalfOpen: true,
            noDelay: true,
            minVersion: 'TLSv1.2',
            handshakeTimeout: timeouts.headMs,
          },
          (socket) => accept(socket, 'https'),
        );
  // A failed handshake is the client's problem, not the router's: it closes that socket only.
  secureServer?.on('tlsClientError', (_error, socket) => socket.destroy());
  // Sockets still in their handshake are no ClientConnection yet (a client that gave up on the certificate leaves
  // one half-open): they count against the caps, their address's included, and are cut with the rest.
  // First of the listeners: the TLS server's own wraps the socket, which then no longer knows its peer.
  secureServer?.prependListener('connection', (socket: Socket) => {
    const address = clientAddressOf(socket);
    if (!admission.admitHandshake(socket, address)) return;
    const key = `${address}:${socket.remotePort ?? ''}`;
    handshaking.set(key, socket);
    socket.once('close', () => {
      if (handshaking.get(key) === socket) endHandshake(key, address);
    });
  });

  if (secureServer !== undefined && certificates !== undefined)
    routeAlpnChallenges(secureServer, certificates, timeouts.headMs);

  let ticks = 0;
  const sweeper = setInterval(() => {
    const nowMs = performance.now();
    context.nowMs = nowMs;
    for (const exchange of context.waiting) if (exchange.deadlineMs <= nowMs) exchange.onTimeout();
    ticks += 1;
    if (ticks % 10 !== 0) return;
    for (const connection of connections) connection.sweep(nowMs, timeouts);
    admission.sweep(nowMs, timeouts.lingerMs);
    options.pool.sweep(nowMs);
  }, sweepIntervalMs);
  sweeper.unref();

  return {
    server,
    secureServer,
    connectionCount: () => connections.size,
    refusedCount: () => admission.refusedCount,
    handshakeCount: () => handshaking.size,
    closeIdleConnections: () => {
      for (const connection of connections) connection.closeIfIdle();
    },
    destroyAll: () => {
      clearInterval(sweeper);
      for (const connection of connections) connection.socket.destroy();
      admission.destroyAll();
      for (const socket of handshaking.values()) socket.destroy();
      handshaking.clear();
      for (const socket of context.tunnels) socket.destroy();
      context.tunnels.clear();
    },
  };
}

/**
 * While a TLS-ALPN-01 challenge is under way, reads each ClientHello first: a client offering `acme-tls/1` for a
 * host with a challenge gets the challenge certificate (and nothing else); every other one goes on to the listener,
 * its bytes put back. The rest of the time a connection goes straight to the TLS server.
 */
function routeAlpnChallenges(server: TlsServer, certificates: () => CertificateSet, timeoutMs: number): void {
  const tlsListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  const tlsListener = tlsListeners.at(-1);
  if (tlsListener === undefined) return;
  server.removeListener('connection', tlsListener);
  server.on('connection', (socket: Socket) => {
    if (!certificates().hasAlpnChallenges) return tlsListener.call(server, socket);
    void peekClientHello(socket, timeoutMs).then((hello) => {
      if (socket.destroyed) return;
      const context =
        hello?.servername !== undefined && hello.alpnProtocols.includes(acmeTlsAlpnProtocol)
          ? certificates().alpnContextFor(hello.servername)
          : undefined;
      if (context === undefined) tlsListener.call(server, socket);
      else answerAlpnChallenge(socket, context, timeoutMs);
    });
  });
}
