/**
 * Proxies one plain HTTP request to an upstream of its route, streaming both bodies, with timeout and one retry;
 * counts it (in flight, passive health, route and release counters) and writes its access log line.
 */
import {
  request,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { AccessLog } from './access-log.js';
import type { EdgeLog } from './edge-log.js';
import { sendError, type EdgeErrorContext, type EdgeErrorKind } from './error-response.js';
import { clientResponseHeaders, forwardedValuesOf, upstreamRequestHeaders } from './forwarded-headers.js';
import { hostFromHeader, pathOf, type RouteTarget, type RoutingState, type UpstreamTarget } from './route-index.js';
import { countResponse } from './traffic-metrics.js';
import type { UpstreamPool } from './upstream-pool.js';

export interface ProxyHandlerOptions {
  readonly state: RoutingState;
  readonly pool: UpstreamPool;
  readonly log: EdgeLog;
  readonly accessLog: AccessLog;
}

/** One client request on its way through the router. */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly target: RouteTarget;
  readonly headers: OutgoingHttpHeaders;
  readonly context: EdgeErrorContext;
  readonly isBodyless: boolean;
  /** `waiting` for the upstream's response head, `responding` while streaming it, `done` once settled otherwise. */
  phase: 'waiting' | 'responding' | 'done';
  upstreamReq: ClientRequest | undefined;
  timer: NodeJS.Timeout | undefined;
  /** The upstream the request is counted against (in flight) until the client response closes. */
  chosen: UpstreamTarget | undefined;
  /** Whether `chosen` sent the response head (else the answer is the router's own). */
  isAnswered: boolean;
  readonly path: string;
  readonly startedAtMs: number;
  readonly socket: Socket;
  readonly bytesAtStart: number;
}

export function createProxyHandler(options: ProxyHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { state, pool, log, accessLog } = options;

  /** The router's answer when there is no route or no upstream: counted and logged, never proxied. */
  function answerAlone(
    req: IncomingMessage,
    res: ServerResponse,
    kind: EdgeErrorKind,
    context: EdgeErrorContext,
    path: string,
    target: RouteTarget | undefined,
  ): void {
    const startedAtMs = performance.now();
    const bytesAtStart = req.socket.bytesWritten;
    sendError(res, kind, context);
    const durationUs = Math.round((performance.now() - startedAtMs) * 1_000);
    if (target !== undefined) countResponse(target.counters, res.statusCode, durationUs);
    accessLog.record({
      method: req.method ?? '',
      host: context.host,
      path,
      status: res.statusCode,
      instanceId: null,
      release: null,
      durationUs,
      bytes: req.socket.bytesWritten - bytesAtStart,
      requestId: context.requestId,
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const startedAtMs = performance.now();
    const host = hostFromHeader(req.headers.host);
    const values = forwardedValuesOf(req);
    const context: EdgeErrorContext = { host, accept: req.headers.accept, requestId: values.requestId };
    const path = pathOf(req.url);
    const target = state.routes.find(host, path);
    if (target === undefined) return answerAlone(req, res, 'no-route', context, path, undefined);
    const first = target.upstreams.pick();
    if (first === undefined) return answerAlone(req, res, 'no-upstream', context, path, target);

    const exchange: Exchange = {
      req,
      res,
      target,
      headers: upstreamRequestHeaders(req, values),
      context,
      isBodyless: isBodyless(req),
      phase: 'waiting',
      upstreamReq: undefined,
      timer: undefined,
      chosen: undefined,
      isAnswered: false,
      path,
      startedAtMs,
      socket: req.socket,
      bytesAtStart: req.socket.bytesWritten,
    };
    // The route's timeout bounds the wait for the response head only: streams (SSE, downloads) may then last.
    exchange.timer = setTimeout(() => onTimeout(exchange), target.timeoutMs);
    res.on('close', () => {
      finish(exchange);
      if (res.writableFinished || exchange.phase === 'done') return;
      // The client went away: stop the upstream work too.
      settle(exchange);
      exchange.upstreamReq?.destroy();
    });
    forward(exchange, first, false);
  }

  function forward(exchange: Exchange, chosen: UpstreamTarget, isRetry: boolean): void {
    const { req, res } = exchange;
    const { upstream, slot } = chosen;
    if (exchange.chosen !== undefined) pool.release(exchange.chosen.slot);
    exchange.chosen = chosen;
    pool.acquire(slot);
    const upstreamReq = request({
      host: upstream.host,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: exchange.headers,
      agent: slot.agent,
    });
    exchange.upstreamReq = upstreamReq;
    let isConnected = false;

    const onConnected = (): void => {
      isConnected = true;
      // The body is only read once a socket is up, so a refused connection leaves it intact for the retry.
      if (!exchange.isBodyless && exchange.upstreamReq === upstreamReq && exchange.phase !== 'done')
        req.pipe(upstreamReq);
    };
    upstreamReq.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', onConnected);
      else onConnected();
    });
    if (exchange.isBodyless) upstreamReq.end();

    upstreamReq.on('response', (upstreamRes) => {
      if (exchange.phase !== 'waiting') {
        upstreamRes.resume();
        return;
      }
      exchange.phase = 'responding';
      exchange.isAnswered = true;
      clearTimeout(exchange.timer);
      if ((upstreamRes.statusCode ?? 502) >= 500) noteFailure(chosen);
      else pool.recordSuccess(slot);
      const headers = clientResponseHeaders(upstreamRes.headers);
      if (state.isClosing) headers.connection = 'close';
      try {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, headers);
      } catch (error) {
        log.warn(
          { requestId: exchange.context.requestId, upstream: addressOf(chosen), err: error },
          'upstream response head rejected',
        );
        upstreamReq.destroy();
        fail(exchange, 'bad-gateway');
        return;
      }
      // Bodies of unknown length may trickle (SSE, long polls): let the client see the head at once.
      if (headers['content-length'] === undefined) res.flushHeaders();
      upstreamRes.pipe(res);
      upstreamRes.on('close', () => {
        // A truncated upstream body must not look complete to the client.
        if (!upstreamRes.complete) res.destroy();
      });
    });

    upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
      if (exchange.upstreamReq !== upstreamReq || exchange.phase === 'done') return;
      if (exchange.phase === 'responding') {
        res.destroy();
        settle(exchange);
        return;
      }
      if (!isConnected) {
        chosen.releaseCounters.connectErrors += 1;
        exchange.target.counters.connectErrors += 1;
        noteFailure(chosen);
      }
      // A pooled socket the upstream closed meanwhile is safe to retry when no body was sent.
      const isStaleSocket = upstreamReq.reusedSocket && exchange.isBodyless;
      if (!isRetry && (!isConnected || isStaleSocket)) {
        const next = exchange.target.upstreams.pick(chosen) ?? (isStaleSocket ? chosen : undefined);
        if (next !== undefined) {
          log.warn(
            {
              requestId: exchange.context.requestId,
              upstream: addressOf(chosen),
              retryUpstream: addressOf(next),
              err: error,
            },
            'upstream connect failed, retrying',
          );
          forward(exchange, next, true);
          return;
        }
      }
      log.warn(
        { requestId: exchange.context.requestId, upstream: addressOf(chosen), err: error },
        'upstream unreachable',
      );
      fail(exchange, 'bad-gateway');
    });
  }

  function onTimeout(exchange: Exchange): void {
    if (exchange.phase !== 'waiting') return;
    log.warn(
      { requestId: exchange.context.requestId, host: exchange.context.host, timeoutMs: exchange.target.timeoutMs },
      'upstream timed out',
    );
    if (exchange.chosen !== undefined) noteFailure(exchange.chosen);
    exchange.upstreamReq?.destroy();
    fail(exchange, 'gateway-timeout');
  }

  function noteFailure(chosen: UpstreamTarget): void {
    if (pool.recordFailure(chosen.slot)) {
      log.warn(
        { instanceId: chosen.upstream.instanceId, upstream: addressOf(chosen) },
        'upstream ejected after consecutive failures',
      );
    }
  }

  /** Once the client response has closed (complete or not): out of flight, counted, logged. */
  function finish(exchange: Exchange): void {
    const { chosen, res } = exchange;
    if (chosen !== undefined) pool.release(chosen.slot);
    const durationUs = Math.round((performance.now() - exchange.startedAtMs) * 1_000);
    // A client that went away before any answer is counted as nginx does, 499.
    const status = res.headersSent ? res.statusCode : 499;
    countResponse(exchange.target.counters, status, durationUs);
    if (chosen !== undefined && exchange.isAnswered) countResponse(chosen.releaseCounters, status, durationUs);
    accessLog.record({
      method: exchange.req.method ?? '',
      host: exchange.context.host,
      path: exchange.path,
      status,
      instanceId: exchange.isAnswered && chosen !== undefined ? chosen.upstream.instanceId : null,
      release: exchange.isAnswered && chosen !== undefined ? chosen.upstream.releaseNumber : null,
      durationUs,
      bytes: exchange.socket.bytesWritten - exchange.bytesAtStart,
      requestId: exchange.context.requestId,
    });
  }

  return handle;
}

function fail(exchange: Exchange, kind: EdgeErrorKind): void {
  settle(exchange);
  if (exchange.res.headersSent) exchange.res.destroy();
  else sendError(exchange.res, kind, exchange.context);
}

function settle(exchange: Exchange): void {
  exchange.phase = 'done';
  clearTimeout(exchange.timer);
}

function isBodyless(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

function addressOf(target: UpstreamTarget): string {
  return `${target.upstream.host}:${target.upstream.port}`;
}
