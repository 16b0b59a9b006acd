/** Passes `Upgrade` requests (WebSocket and the like) through: raw TCP to the upstream, request head replayed, bytes piped both ways. */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EdgeLog } from './edge-log.js';
import { writeErrorToSocket, type EdgeErrorContext } from './error-response.js';
import { forwardedValuesOf, upgradeRequestHead, type ForwardedValues } from './forwarded-headers.js';
import { hostFromHeader, pathOf, type RouteTarget, type RoutingState, type UpstreamTarget } from './route-index.js';
import type { UpstreamPool } from './upstream-pool.js';

export interface UpgradeHandlerOptions {
  readonly state: RoutingState;
  readonly pool: UpstreamPool;
  readonly log: EdgeLog;
}

export interface UpgradeHandler {
  /** The `upgrade` listener of the traffic server. */
  readonly handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Upgraded connections are no longer the HTTP server's: shutdown closes them here. */
  readonly destroyAll: () => void;
}

export function createUpgradeHandler(options: UpgradeHandlerOptions): UpgradeHandler {
  const { state, pool, log } = options;
  const open = new Set<Socket>();

  function track(socket: Socket): void {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  }

  function handle(req: IncomingMessage, duplex: Duplex, head: Buffer): void {
    const client = duplex as Socket;
    track(client);
    client.on('error', () => client.destroy());
    const host = hostFromHeader(req.headers.host);
    const values = forwardedValuesOf(req);
    const context: EdgeErrorContext = { host, accept: req.headers.accept, requestId: values.requestId };
    const target = state.routes.find(host, pathOf(req.url));
    if (target === undefined) return writeErrorToSocket(client, 'no-route', context);
    const first = target.upstreams.pick();
    if (first === undefined) return writeErrorToSocket(client, 'no-upstream', context);
    connectUpstream({ req, client, head, target, values, context }, first, false);
  }

  interface Tunnel {
    readonly req: IncomingMessage;
    readonly client: Socket;
    readonly head: Buffer;
    readonly target: RouteTarget;
    readonly values: ForwardedValues;
    readonly context: EdgeErrorContext;
  }

  function connectUpstream(tunnel: Tunnel, chosen: UpstreamTarget, isRetry: boolean): void {
    const { client, context } = tunnel;
    const upstream = connect({ host: chosen.upstream.host, port: chosen.upstream.port });
    track(upstream);
    // A tunnel counts as in flight for as long as it is open: draining an instance waits for it (bounded).
    pool.acquire(chosen.slot);
    let isConnected = false;
    let isTimedOut = false;
    // As for plain requests, the route's timeout bounds the connection set-up, not the tunnel's life.
    const timer = setTimeout(() => {
      isTimedOut = true;
      upstream.destroy();
      log.warn(
        { requestId: context.requestId, host: context.host, timeoutMs: tunnel.target.timeoutMs },
        'upgrade upstream timed out',
      );
      writeErrorToSocket(client, 'gateway-timeout', context);
    }, tunnel.target.timeoutMs);
    const onClientClose = (): void => {
      clearTimeout(timer);
      upstream.destroy();
    };
    client.once('close', onClientClose);

    upstream.once('connect', () => {
      isConnected = true;
      clearTimeout(timer);
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      upstream.write(upgradeRequestHead(tunnel.req, tunnel.values));
      if (tunnel.head.length > 0) upstream.write(tunnel.head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    // Once one side has fully closed, let the other flush what it still holds, then close it.
    upstream.once('close', () => {
      pool.release(chosen.slot);
      if (isConnected && !client.destroyed) client.end(() => client.destroy());
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (isConnected) {
        client.destroy();
        return;
      }
      if (isTimedOut || client.destroyed) return;
      tunnel.target.counters.connectErrors += 1;
      chosen.releaseCounters.connectErrors += 1;
      pool.recordFailure(chosen.slot);
      client.off('close', onClientClose);
      const next = isRetry ? undefined : tunnel.target.upstreams.pick(chosen);
      if (next !== undefined) {
        log.warn(
          { requestId: context.requestId, upstream: addressOf(chosen), retryUpstream: addressOf(next), err: error },
          'upgrade upstream connect failed, retrying',
        );
        connectUpstream(tunnel, next, true);
        return;
      }
      log.warn(
        { requestId: context.requestId, upstream: addressOf(chosen), err: error },
        'upgrade upstream unreachable',
      );
      writeErrorToSocket(client, 'bad-gateway', context);
    });
  }

  function destroyAll(): void {
    for (const socket of open) socket.destroy();
    open.clear();
  }

  return { handle, destroyAll };
}

function addressOf(target: UpstreamTarget): string {
  return `${target.upstream.host}:${target.upstream.port}`;
}
