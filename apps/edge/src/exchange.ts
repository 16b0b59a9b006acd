/**
 * One request on its way through the router: routed, sent to an upstream (one retry when it provably never left, or,
 * for an idempotent one, when a reused connection closed unanswered),
 * its body streamed up and the response streamed back, bounded by the route's timeout until the response head
 * (counted from when the upstream has the whole request: a client's slow or cut body is the client's fault);
 * then counted for passive health and, once over, recorded (`exchange-outcome.ts`: out of flight, route and release
 * counters, access log, span; when tracing samples it, its `traceparent` goes to the app).
 */
import type { Span } from '@opentelemetry/api';
import { BodyFramer } from './body-framer.js';
import { openClientTunnel } from './client-tunnel.js';
import { ClientWriter } from './client-writer.js';
import { acmeKeyAuthorizationFor } from './acme-http01-answer.js';
import { httpsLocation } from './https-redirect.js';
import {
  clientResponseHead,
  forwardedValuesOf,
  upstreamRequestHead,
  type ForwardedValues,
} from './forwarded-headers.js';
import { connectionUpgrade, type HttpHead } from './http-head.js';
import { responseBodyMode, useAuthorityAsHost } from './message-semantics.js';
import { RequestHold } from './request-hold.js';
import { hostFromHeader, pathOf, type RouteTarget, type UpstreamTarget } from './route-index.js';
import { routerAnswerText, type RouterAnswer } from './router-answer.js';
import type { TimedExchange, TrafficContext } from './traffic-context.js';
import type { ReleaseLane, TrafficSplit } from './traffic-split.js';
import type { ExchangeClient } from './exchange-client.js';
import type { HeldExchange } from './cold-start-holds.js';
import { recordExchangeOutcome } from './exchange-outcome.js';
import { UpstreamConnection, type ResponseListener, type UpstreamFailure } from './upstream-connection.js';
import { logUpstreamFailure, noteUpstreamFailure, upstreamRetryOf } from './upstream-failure.js';

export type { ExchangeClient } from './exchange-client.js';

export class Exchange implements ResponseListener, TimedExchange, HeldExchange {
  readonly isUpgrade: boolean;
  readonly requestFramer = new BodyFramer();
  isRequestDone: boolean;
  deadlineMs = 0;
  private readonly startedAtMs: number;
  /** Writes to the client, counting what it writes. */
  private readonly writer: ClientWriter;
  private readonly host: string;
  /** The request target in origin form (query included), as the upstream gets it. */
  private readonly path: string;
  /** Without the query: what routes and what the access log shows (queries may carry secrets). */
  private readonly pathOnly: string;
  private readonly values: ForwardedValues;
  private target: RouteTarget | undefined = undefined;
  private chosen: UpstreamTarget | undefined = undefined;
  /** Under a split: the release chosen (a retry stays in it first) and the sticky cookie its response sets. */
  private lane: ReleaseLane | undefined = undefined;
  private setCookie: string | undefined = undefined;
  private upstream: UpstreamConnection | undefined = undefined;
  private requestHeadText = '';
  /** Body bytes written to an upstream not connected yet: replayed on another one should the connect fail. */
  private unconfirmed: Buffer[] | undefined = undefined;
  /** The client asked for `100 Continue` and waits for it before its body: until it comes, a wait is the upstream's. */
  private isAwaitingContinue: boolean;
  private isRetried = false;
  private isResponseStarted = false;
  /** The upstream sent the response head (else the answer, if any, is the router's own). */
  private isAnswered = false;
  private status = 0;
  private keepAlive: boolean;
  private isDone = false;
  /** No route matched: counted with the router's unrouted requests. */
  private isUnrouted = false;
  /** Reading from the client waits for the upstream to drain (the drain may come after the exchange is over). */
  private isClientPaused = false;
  /** The request's span, when tracing sampled it. */
  private readonly span: Span | undefined;
  /** Set once the request was held for an instance of a wakeable route (scale to zero). */
  private requestHold: RequestHold | undefined = undefined;

  constructor(
    readonly client: ExchangeClient,
    readonly head: HttpHead,
    private readonly context: TrafficContext,
  ) {
    this.startedAtMs = performance.now();
    this.writer = new ClientWriter(client.socket);
    this.isUpgrade = head.upgrade !== undefined && (head.connection & connectionUpgrade) !== 0;
    if (head.authority !== undefined) useAuthorityAsHost(head, head.authority);
    this.host = hostFromHeader(head.host);
    this.path = head.path;
    this.pathOnly = pathOf(head.path);
    this.values = forwardedValuesOf(head, client);
    this.keepAlive = head.isKeepAlive && !this.isUpgrade;
    this.requestFramer.reset(head.isChunked ? 'chunked' : 'length', Math.max(0, head.contentLength));
    this.isRequestDone = this.requestFramer.isComplete;
    this.isAwaitingContinue = head.expectsContinue && !this.isRequestDone;
    // Positional arguments: an unsampled request allocates nothing for tracing.
    this.span = context.tracer?.startSpan(head, this.host, this.pathOnly, client);
  }

  /** The client still owes body bytes and nothing on the router's side keeps it from sending them. */
  get isBodyOwedByClient(): boolean {
    return !this.isRequestDone && !this.isAwaitingContinue && !this.client.isHeldByUpstream;
  }

  /** Routes the request and sends its head; the router answers itself when there is no route or no upstream. */
  start(): void {
    const keyAuthorization = acmeKeyAuthorizationFor(this.context.state.acmeHttp01, this.pathOnly);
    if (keyAuthorization !== undefined) this.answerAlone({ keyAuthorization });
    else this.route();
  }

  private route(): 'forwarded' | 'answered' | 'held' {
    const target = this.context.state.routes.find(this.host, this.pathOnly);
    if (target === undefined) {
      this.isUnrouted = true;
      return this.answerAlone('no-route');
    }
    if (target.httpsRedirectPort !== undefined && this.client.proto === 'http')
      return this.answerAlone({ location: httpsLocation(this.host, target.httpsRedirectPort, this.path) });
    if (target.maintenance !== undefined) return this.answerAlone(target.maintenance);
    this.target = target;
    target.counters.active += 1;
    const first = target.split === undefined ? target.upstreams.pick() : this.decide(target.split);
    const span = this.span;
    this.requestHeadText = upstreamRequestHead(
      this.head,
      this.path,
      this.values,
      this.isUpgrade,
      span === undefined ? undefined : this.context.tracer?.traceParentOf(span),
    );
    if (first === undefined)
      return target.coldStart === undefined ? this.answerAlone('no-upstream') : this.hold(target);
    const requestHold = this.requestHold;
    // A request that was held gets the route's whole timeout from now.
    this.deadlineMs = (requestHold === undefined ? this.startedAtMs : performance.now()) + target.timeoutMs;
    this.context.waiting.add(this);
    this.forward(first);
    if (requestHold !== undefined) this.sendHeldBody(requestHold);
    return 'forwarded';
  }

  /**
   * No upstream on a wakeable route: the request waits for an instance (the first one held asks slipwayd for it),
   * its client not read meanwhile, until a table brings one or the hold timeout passes.
   */
  private hold(target: RouteTarget): 'answered' | 'held' {
    const cold = target.coldStart;
    const isFirst = this.requestHold === undefined;
    const requestHold = (this.requestHold ??= new RequestHold(this, this.context.holds));
    if (cold === undefined || !requestHold.enter(target, this.requestHeadText))
      return this.answerAlone('cold-start-full');
    if (isFirst) {
      cold.counters.held += 1;
      this.deadlineMs = this.startedAtMs + cold.hold.holdTimeoutMs;
      this.isClientPaused = true;
      this.client.pauseReading();
    }
    this.context.waiting.add(this);
    return 'held';
  }

  /** A table came: held requests try again, oldest first (see `ColdStartHolds.resumeAll`, which let this one go). */
  resumeHold(): 'forwarded' | 'answered' | 'held' {
    if (this.requestHold !== undefined) this.requestHold.isHeld = false;
    this.context.waiting.delete(this);
    if (this.isDone) return 'answered';
    if (this.target !== undefined) this.target.counters.active -= 1;
    this.target = undefined;
    return this.route();
  }

  /** A request that was held goes on: its client is read again, and the body that came meanwhile goes up. */
  private sendHeldBody(requestHold: RequestHold): void {
    this.isClientPaused = false;
    this.client.resumeReading();
    for (const chunk of requestHold.takeBody() ?? []) {
      this.unconfirmed?.push(chunk);
      if (this.upstream?.write(chunk) === false) {
        this.isClientPaused = true;
        this.client.pauseReading();
      }
    }
  }

  private decide(split: TrafficSplit): UpstreamTarget | undefined {
    const decision = split.decide(this.head);
    this.lane = decision.lane;
    this.setCookie = decision.setCookie;
    return decision.upstream;
  }

  /** Takes request body bytes from `data[start, end)`; returns where the body ended there (-1: invalid framing). */
  takeRequestBody(data: Buffer, start: number, end: number): number {
    this.isAwaitingContinue = false;
    const bodyEnd = this.requestFramer.consume(data, start, end);
    if (bodyEnd === -1) {
      this.keepAlive = false;
      this.upstream?.close();
      this.upstream = undefined;
      if (this.isResponseStarted) this.client.socket.destroy();
      else this.answerAlone('bad-request');
      return -1;
    }
    const requestHold = this.requestHold;
    if (bodyEnd > start && requestHold?.isHeld === true && this.target !== undefined) {
      if (!requestHold.keepBody(this.target, data, start, bodyEnd)) {
        this.answerAlone('cold-start-full');
        return -1;
      }
    } else if (bodyEnd > start && this.upstream !== undefined) {
      const slice = data.subarray(start, bodyEnd);
      this.unconfirmed?.push(slice);
      if (!this.upstream.write(slice)) {
        this.isClientPaused = true;
        this.client.pauseReading();
      }
    }
    if (this.requestFramer.isComplete) {
      this.isRequestDone = true;
      // The upstream's timeout counts from when it has the whole request (a slow body is the client's time).
      if (this.target !== undefined && requestHold?.isHeld !== true)
        this.deadlineMs = Math.max(this.deadlineMs, this.context.nowMs + this.target.timeoutMs);
    }
    return bodyEnd;
  }

  onUpstreamConnected(): void {
    this.unconfirmed = undefined;
  }

  onUpstreamDrain(): void {
    this.isClientPaused = false;
    this.client.resumeReading();
  }

  /** The client can take more: let the upstream's response flow again. */
  onClientDrain(): void {
    this.upstream?.resumeResponse();
  }

  onInterimResponse(head: HttpHead): void {
    this.isAwaitingContinue = false;
    if (this.head.isHttp10) return;
    this.writer.send(clientResponseHead(head, { connection: undefined, isChunked: false, isUpgrade: false }));
  }

  onResponseHead(head: HttpHead): void {
    const upstream = this.upstream;
    const chosen = this.chosen;
    if (upstream === undefined || chosen === undefined) return;
    this.context.waiting.delete(this);
    this.isAnswered = true;
    this.status = head.statusCode;
    if (head.statusCode >= 500) noteUpstreamFailure(this.context.pool, this.context.log, chosen);
    else this.context.pool.recordSuccess(chosen.slot);
    if (head.statusCode === 101) {
      if (this.isUpgrade) return this.tunnel(upstream, head);
      upstream.close();
      this.upstream = undefined;
      this.answerAlone('bad-gateway');
      return;
    }
    const mode = responseBodyMode(this.head.method, head);
    const isDecoding = mode === 'chunked' && this.head.isHttp10;
    if (mode === 'close' || isDecoding || !this.isRequestDone || this.context.state.isClosing) this.keepAlive = false;
    // A client that half-closed with nothing more buffered gets its last answer: say so.
    if (this.client.isEnded && !this.client.hasPendingInput) this.keepAlive = false;
    upstream.expectBody(mode, head.contentLength, isDecoding);
    const connection = !this.keepAlive ? 'close' : this.head.isHttp10 ? 'keep-alive' : undefined;
    // Heads go out as latin1, as they were read: field values keep their bytes. The head waits for the first body
    // bytes, which usually came in the same read, to leave with them in one write (see `sendHeldHead`).
    this.writer.holdHead(
      clientResponseHead(head, {
        connection,
        isChunked: mode === 'chunked' && !isDecoding,
        isUpgrade: false,
        setCookie: this.setCookie,
        isNoindex: this.target?.isNoindex === true,
        hstsField: this.client.proto === 'https' ? this.target?.hstsField : undefined,
      }),
    );
    this.isResponseStarted = true;
  }

  onResponseBody(data: Buffer, start: number, end: number): void {
    if (!this.writer.sendBody(data, start, end)) this.upstream?.pauseResponse();
  }

  /** The read that brought the response head is done: a head still held (no body bytes came with it) leaves now. */
  sendHeldHead(): void {
    this.writer.sendHeldHead();
  }

  onResponseComplete(): void {
    this.sendHeldHead();
    const upstream = this.upstream;
    this.upstream = undefined;
    if (upstream !== undefined && this.chosen !== undefined) {
      if (upstream.finishExchange() && this.isRequestDone && !this.isUpgrade) {
        this.context.pool.checkIn(this.chosen.slot, upstream, this.context.nowMs, upstream.keepAliveHintMs);
      } else upstream.close();
    }
    // The client is still sending a body nobody reads any more: its connection cannot carry another request.
    if (!this.isRequestDone) this.keepAlive = false;
    this.finish();
  }

  onUpstreamFailure(reason: UpstreamFailure, error: Error | undefined): void {
    const upstream = this.upstream;
    const chosen = this.chosen;
    this.upstream = undefined;
    if (upstream === undefined || chosen === undefined || this.isDone) return;
    if (this.isResponseStarted) {
      // A truncated response must not look complete to the client.
      this.client.socket.destroy();
      return this.finish();
    }
    const target = this.target;
    if (reason === 'connect' && target !== undefined) {
      target.counters.connectErrors += 1;
      chosen.releaseCounters.connectErrors += 1;
      noteUpstreamFailure(this.context.pool, this.context.log, chosen);
    }
    const next =
      this.isRetried || target === undefined || this.client.socket.destroyed
        ? undefined
        : upstreamRetryOf(reason, upstream, this.head, this.unconfirmed !== undefined, target, this.lane, chosen);
    logUpstreamFailure(this.context.log, this.values.requestId, chosen, next, reason, error);
    if (next === undefined) {
      this.answerAlone('bad-gateway');
      return;
    }
    this.isRetried = true;
    this.forward(next);
  }

  onTimeout(): void {
    if (this.isDone || this.isResponseStarted) return;
    if (this.requestHold?.isHeld === true) {
      this.requestHold.leave(this.target);
      if (this.target?.coldStart !== undefined) this.target.coldStart.counters.timedOut += 1;
      this.context.log.warn({ requestId: this.values.requestId, host: this.host }, 'held request timed out');
      this.keepAlive = false;
      this.answerAlone('cold-start-timeout');
      return;
    }
    // The client still owes body bytes, which it may send slowly (its own `bodyMs` bounds a stall): the upstream
    // cannot be blamed for not answering a request it has not had whole (unless it holds the body up, or owes a 100).
    if (this.isBodyOwedByClient) {
      this.deadlineMs = this.context.nowMs + (this.target?.timeoutMs ?? 0);
      return;
    }
    this.context.waiting.delete(this);
    this.context.log.warn(
      { requestId: this.values.requestId, host: this.host, timeoutMs: this.target?.timeoutMs },
      'upstream timed out',
    );
    if (this.chosen !== undefined) noteUpstreamFailure(this.context.pool, this.context.log, this.chosen);
    this.upstream?.close();
    this.upstream = undefined;
    this.keepAlive = false;
    this.answerAlone('gateway-timeout');
  }

  /**
   * The client stalled its request body (`body-timeout`) or ended it short (`body-incomplete`): a client fault,
   * answered 408 or 400 and closed, never counted against the upstream. A response already under way is left to
   * finish when the body was cut short (the upstream answered without it), and cut when the client stalls.
   */
  failRequestBody(kind: 'body-timeout' | 'body-incomplete'): void {
    if (this.isDone) return;
    this.context.log.info(
      { requestId: this.values.requestId, host: this.host, reason: kind },
      kind === 'body-timeout' ? 'client request body timed out' : 'client request body cut short',
    );
    this.keepAlive = false;
    if (this.isResponseStarted && kind === 'body-incomplete') return;
    this.upstream?.close();
    this.upstream = undefined;
    if (this.isResponseStarted) this.client.socket.destroy();
    else this.answerAlone(kind);
  }

  /** The client went away: stop the upstream work too. */
  abort(): void {
    if (this.isDone) return;
    this.requestHold?.leave(this.target);
    this.upstream?.close();
    this.upstream = undefined;
    // A client that went away before any answer is counted as nginx does, 499.
    if (!this.isResponseStarted) this.status = 499;
    this.keepAlive = false;
    this.finish();
  }

  private forward(chosen: UpstreamTarget): void {
    const pool = this.context.pool;
    if (this.chosen !== undefined) pool.release(this.chosen.slot);
    this.chosen = chosen;
    pool.acquire(chosen.slot);
    const replay = this.unconfirmed;
    const idle = this.isUpgrade ? undefined : (pool.takeIdle(chosen.slot) as UpstreamConnection | undefined);
    const upstream = idle ?? new UpstreamConnection(chosen.slot, pool, this.isUpgrade);
    this.upstream = upstream;
    upstream.begin(this);
    this.unconfirmed = upstream.isConnected ? undefined : [];
    upstream.write(this.requestHeadText);
    if (replay === undefined) return;
    for (const data of replay) {
      this.unconfirmed?.push(data);
      upstream.write(data);
    }
  }

  private tunnel(upstream: UpstreamConnection, head: HttpHead): void {
    this.upstream = undefined;
    this.isResponseStarted = true;
    // A tunnel counts as in flight for as long as it is open: draining an instance waits for it (bounded).
    openClientTunnel(this.client, this.writer, upstream, head, this.context.tunnels, () => {
      this.keepAlive = false;
      this.finish();
    });
  }

  /**
   * The router's own answer (no route, no upstream, bad gateway, timeout, a broken request body, maintenance, or an
   * ACME HTTP-01 key authorization).
   */
  private answerAlone(answer: RouterAnswer): 'answered' {
    this.context.waiting.delete(this);
    if (this.isDone) return 'answered';
    // The rest of a request body would be read as the next request: close after answering instead.
    if (
      !this.isRequestDone ||
      this.isUpgrade ||
      this.context.state.isClosing ||
      (this.client.isEnded && !this.client.hasPendingInput)
    )
      this.keepAlive = false;
    const context = { host: this.host, accept: this.head.accept, requestId: this.values.requestId };
    const response = routerAnswerText(answer, context, !this.keepAlive, this.head.method === 'HEAD');
    this.status = response.statusCode;
    this.isAnswered = false;
    this.writer.send(response.text, 'utf8');
    this.finish();
    return 'answered';
  }

  /** Once the response is complete (or abandoned): out of flight, counted, logged. */
  private finish(): void {
    if (this.isDone) return;
    this.isDone = true;
    this.context.waiting.delete(this);
    const chosen = this.chosen;
    if (chosen !== undefined) this.context.pool.release(chosen.slot);
    if (this.isClientPaused) this.client.resumeReading();
    recordExchangeOutcome(
      this.context,
      this.target,
      this.isUnrouted,
      this.isAnswered ? chosen : undefined,
      this.span,
      this.head.method,
      this.host,
      this.pathOnly,
      this.status,
      this.startedAtMs,
      this.writer.sentBytes,
      this.values.requestId,
    );
    this.client.exchangeFinished(this.keepAlive);
  }
}
