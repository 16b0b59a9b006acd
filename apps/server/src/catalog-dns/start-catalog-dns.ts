/**
 * The catalog's DNS interface (docs/catalog.md, DNS): one address, served on UDP and TCP (`--dns`, default
 * 127.0.0.1:8600). Both transports answer through the same resolver; UDP answers are trimmed to what the client
 * accepts, TCP answers are not.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server } from 'node:net';
import { SlipwayError } from '@slipway/contract';
import { createCatalogDnsResolver, type CatalogDnsResolverOptions } from './catalog-dns-resolver.js';
import { defaultDnsTcpLimits, serveDnsOverTcp, type DnsTcpLimits } from './dns-tcp-connections.js';

export interface CatalogDnsOptions extends CatalogDnsResolverOptions {
  host: string;
  /** 0: a free port, the same for UDP and TCP. */
  port: number;
  /** Bounds of DNS over TCP (defaults: 4 KiB queries, 10 s idle, 256 connections). */
  tcpLimits?: Partial<DnsTcpLimits>;
}

export interface CatalogDnsServer {
  readonly host: string;
  /** The port both UDP and TCP listen on. */
  readonly port: number;
  /** Stops listening and closes open TCP connections. Idempotent. */
  close(): Promise<void>;
}

/** Attempts to find one free port for both transports when asked for any port. */
const freePortAttempts = 5;

const listenError = (host: string, port: number, error: unknown): Error => {
  const code = (error as NodeJS.ErrnoException).code;
  const address = `${host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new SlipwayError(
      'PORT_UNAVAILABLE',
      `the DNS address ${address} is in use: stop what holds it or pass --dns HOST:PORT (or --dns off)`,
    );
  }
  if (code === 'EACCES') {
    return new SlipwayError(
      'PORT_UNAVAILABLE',
      `the DNS address ${address} needs privileges slipwayd does not have: pass --dns HOST:PORT with a port above 1023`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new SlipwayError('PORT_UNAVAILABLE', `the DNS address ${address} is not an address of this host: fix --dns`);
  }
  return error instanceof Error ? error : new Error(String(error));
};

const bindUdp = (host: string, port: number) =>
  new Promise<UdpSocket>((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });

const listenTcp = (host: string, port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });

const closeUdp = (socket: UdpSocket) => new Promise<void>((resolve) => socket.close(() => resolve()));
const closeTcp = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Binds UDP then TCP on the port UDP got; with port 0, tries again when TCP finds that port taken. */
const bindBoth = async (host: string, port: number): Promise<{ udp: UdpSocket; tcp: Server; port: number }> => {
  for (let attempt = 1; ; attempt += 1) {
    let udp: UdpSocket;
    try {
      udp = await bindUdp(host, port);
    } catch (error) {
      throw listenError(host, port, error);
    }
    const boundPort = udp.address().port;
    try {
      return { udp, tcp: await listenTcp(host, boundPort), port: boundPort };
    } catch (error) {
      await closeUdp(udp);
      const isRetried = port === 0 && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!isRetried || attempt >= freePortAttempts) throw listenError(host, port === 0 ? boundPort : port, error);
    }
  }
};

/**
 * Starts the catalog's DNS on UDP and TCP at `host:port`. An address in use rejects with `PORT_UNAVAILABLE` naming
 * `--dns`.
 */
export const startCatalogDns = async (options: CatalogDnsOptions): Promise<CatalogDnsServer> => {
  const resolver = createCatalogDnsResolver(options);
  const logger = options.logger;
  const { udp, tcp, port } = await bindBoth(options.host, options.port);

  udp.on('message', (message, remote) => {
    const response = resolver.respond(message, 'udp');
    if (response === undefined) return;
    udp.send(response, remote.port, remote.address, (error) => {
      if (error) logger.debug({ err: error }, 'dns udp answer not sent');
    });
  });
  udp.on('error', (error) => logger.warn({ err: error }, 'dns udp socket failed'));
  const connections = serveDnsOverTcp(
    tcp,
    (message) => resolver.respond(message, 'tcp'),
    { ...defaultDnsTcpLimits, ...options.tcpLimits },
    logger,
  );
  tcp.on('error', (error) => logger.warn({ err: error }, 'dns tcp listener failed'));

  let closing: Promise<void> | undefined;
  return {
    host: options.host,
    port,
    close() {
      closing ??= (async () => {
        const tcpClosed = closeTcp(tcp);
        connections.closeAll();
        await Promise.all([tcpClosed, closeUdp(udp)]);
      })();
      return closing;
    },
  };
};
