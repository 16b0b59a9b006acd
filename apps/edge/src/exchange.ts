/**
 * One request on its way through the router: routed, sent to an upstream (one retry when it provably never left, or,
 * for an idempotent one, when a reused connection closed unanswered),
 * its body streamed up and the response streamed back, bounded by the route's timeout until the response head
 * (counted from when the upstream has the whole request: a client's slow or cut body is the client's fault);
 * then counted (in flight, passive health, route and release counters) and written to the access log, and, when
 * tracing samples it, spanned (its `traceparent` goes to the app).
 */
import type { Span } from '@opentelemetry/api';
import { BodyFramer } from './body-framer.js';
import { ClientWriter } from './client-writer.js';
import { errorResponseText, type EdgeErrorKind } from './error-response.js';
import { acmeHttp01ResponseText, acmeKeyAuthorizationFor, type AcmeKeyAuthorization } from './acme-http01-answer.js';
import { httpsLocation, httpsRedirectText, type HttpsRedirect } from './https-redirect.js';
import { maintenanceResponseText, type MaintenanceAnswer } from './maintenance-response.js';
import {
  clientResponseHead,
  forwardedValuesOf,
  upstreamRequestHead,
  type ForwardedValues,
} from './forwarded-headers.js';
import { connectionUpgrade, type HttpHead } from './http-head.js';
import { idempotentMethods, responseBodyMode, useAuthorityAsHost } from './message-semantics.js';
import { hostFromHeader, pathOf, retryTarget, type RouteTarget, type UpstreamTarget } from './route-index.js';
import type { TimedExchange, TrafficContext } from './traffic-context.js';
import type { ReleaseLane, TrafficSplit } from './traffic-split.js';
import type { ExchangeClient } from './exchange-client.js';
import type { HeldExchange } from './cold-start-holds.js';
import { countResponse, methodIndexOf } from './traffic-metrics.js';
import { UpstreamConnection, type ResponseListener, type UpstreamFailure } from './upstream-connection.js';

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
  /** Held for an instance of a wakeable route (scale to zero), with the bytes counted against its bound. */
  private isHeld = false;
  private wasHeld = false;
  private heldBytes = 0;
  /** Body bytes received while held, sent once an instance takes the request. */
  private heldBody: Buffer[] | undefined = undefined;

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
    // A request that was held gets the route's whole timeout from now.
    this.deadlineMs = (this.wasHeld ? performance.now() : this.startedAtMs) + target.timeoutMs;
    this.context.waiting.add(this);
    this.forward(first);
    const body = this.heldBody;
    this.heldBody = undefined;
    if (this.wasHeld) {
      this.isClientPaused = false;
      this.client.resumeReading();
    }
    for (const chunk of body ?? []) {
      this.unconfirmed?.push(chunk);
      if (this.upstream?.write(chunk) === false) {
        this.isClientPaused = true;
        this.client.pauseReading();
      }
    }
    return 'forwarded';
  }

  /**
   * No upstream on a wakeable route: the request waits for an instance (the first one held asks slipwayd for it),
   * its client not read meanwhile, until a table brings one or the hold timeout passes.
   */
  private hold(target: RouteTarget): 'answered' | 'held' {
    let bytes = Buffer.byteLength(this.requestHeadText, 'latin1');
    for (const chunk of this.heldBody ?? []) bytes += chunk.length;
    const cold = target.coldStart;
    if (cold === undefined || !this.context.holds.hold(this, target, bytes)) return this.answerAlone('cold-start-full');
    this.isHeld = true;
    this.heldBytes = bytes;
    if (!this.wasHeld) {
      this.wasHeld = true;
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
    this.isHeld = false;
    this.context.waiting.delete(this);
    if (this.isDone) return 'answered';
    if (this.target !== undefined) this.target.counters.active -= 1;
    this.target = undefined;
    return this.route();
  }

  private unhold(): void {
    if (!this.isHeld || this.target === undefined) return;
    this.isHeld = false;
    this.context.holds.drop(this, this.target, this.heldBytes);
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
    if (bodyEnd > start && this.isHeld && this.target !== undefined) {
      const slice = Buffer.from(data.subarray(start, bodyEnd));
      if (!this.context.holds.addBytes(this.target, slice.length)) {
        this.unhold();
        this.answerAlone('cold-start-full');
        return -1;
      }
      this.heldBytes += slice.length;
      (this.heldBody ??= []).push(slice);
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
      if (this.target !== undefined && !this.isHeld)
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
    if (head.statusCode >= 500) this.noteFailure(chosen);
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
      this.noteFailure(chosen);
    }
    // A refused connect provably sent nothing: any request goes to another upstream. A reused connection the upstream
    // closed without answering may have delivered the request all the same: only an idempotent one without a body
    // is sent again (RFC 9110 §9.2.2), never a POST or a PATCH.
    const isStale = reason === 'closed' && upstream.exchangesServed > 0 && !upstream.hasResponseBytes;
    const canRetry =
      (reason === 'connect' && this.unconfirmed !== undefined) ||
      (isStale && !this.head.hasBody && idempotentMethods.has(this.head.method));
    if (!this.isRetried && canRetry && target !== undefined && !this.client.socket.destroyed) {
      const next = retryTarget(target, this.lane, chosen) ?? (isStale ? chosen : undefined);
      if (next !== undefined) {
        this.context.log.warn(
          { requestId: this.values.requestId, upstream: addressOf(chosen), retryUpstream: addressOf(next), err: error },
          'upstream connect failed, retrying',
        );
        this.isRetried = true;
        return this.forward(next);
      }
    }
    this.context.log.warn(
      { requestId: this.values.requestId, upstream: addressOf(chosen), reason, err: error },
      reason === 'bad-response' ? 'upstream sent an invalid response' : 'upstream unreachable',
    );
    this.answerAlone('bad-gateway');
  }

  onTimeout(): void {
    if (this.isDone || this.isResponseStarted) return;
    if (this.isHeld) {
      this.unhold();
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
    if (this.chosen !== undefined) this.noteFailure(this.chosen);
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
    this.unhold();
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
    const rest = upstream.detach();
    this.upstream = undefined;
    const socket = this.client.socket;
    this.writer.send(clientResponseHead(head, { connection: undefined, isChunked: false, isUpgrade: true }));
    if (rest !== undefined) this.writer.send(rest);
    // What the tunnel carries is counted by the socket (once, at its end: then nothing is left queued).
    const bytesAtTunnel = socket.bytesWritten - this.writer.sentBytes;
    this.isResponseStarted = true;
    this.context.tunnels.add(upstream.socket);
    // A tunnel counts as in flight for as long as it is open: draining an instance waits for it (bounded).
    this.client.startTunnel(upstream.socket, () => {
      this.writer.sentBytes = socket.bytesWritten - bytesAtTunnel;
      this.context.tunnels.delete(upstream.socket);
      this.keepAlive = false;
      this.finish();
    });
  }

  /**
   * The router's own answer (no route, no upstream, bad gateway, timeout, a broken request body, maintenance, or an
   * ACME HTTP-01 key authorization).
   */
  private answerAlone(kind: EdgeErrorKind | MaintenanceAnswer | AcmeKeyAuthorization | HttpsRedirect): 'answered' {
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
    const isHead = this.head.method === 'HEAD';
    const response =
      typeof kind === 'string'
        ? errorResponseText(kind, context, !this.keepAlive, isHead)
        : 'location' in kind
          ? { statusCode: 308, text: httpsRedirectText(kind.location, context.requestId, !this.keepAlive, isHead) }
          : 'keyAuthorization' in kind
            ? {
                statusCode: 200,
                text: acmeHttp01ResponseText(kind.keyAuthorization, context.requestId, !this.keepAlive, isHead),
              }
            : {
                statusCode: kind.statusCode,
                text: maintenanceResponseText(kind, context.requestId, !this.keepAlive, isHead),
              };
    this.status = response.statusCode;
    this.isAnswered = false;
    this.writer.send(response.text, 'utf8');
    this.finish();
    return 'answered';
  }

  private noteFailure(chosen: UpstreamTarget): void {
    if (this.context.pool.recordFailure(chosen.slot)) {
      this.context.log.warn(
        { instanceId: chosen.upstream.instanceId, upstream: addressOf(chosen) },
        'upstream ejected after consecutive failures',
      );
    }
  }

  /** Once the response is complete (or abandoned): out of flight, counted, logged. */
  private finish(): void {
    if (this.isDone) return;
    this.isDone = true;
    this.context.waiting.delete(this);
    const chosen = this.chosen;
    if (chosen !== undefined) this.context.pool.release(chosen.slot);
    if (this.isClientPaused) this.client.resumeReading();
    const durationUs = Math.round((performance.now() - this.startedAtMs) * 1_000);
    const status = this.status;
    const method = methodIndexOf(this.head.method);
    if (this.target !== undefined) {
      this.target.counters.active -= 1;
      countResponse(this.target.counters, status, durationUs, method);
    } else if (this.isUnrouted) countResponse(this.context.state.unrouted, status, durationUs, method);
    const answered = this.isAnswered && chosen !== undefined ? chosen : undefined;
    if (answered !== undefined) countResponse(answered.releaseCounters, status, durationUs, method);
    this.context.accessLog.record({
      method: this.head.method,
      host: this.host,
      path: this.pathOnly,
      status,
      instanceId: answered === undefined ? null : answered.upstream.instanceId,
      release: answered === undefined ? null : answered.upstream.releaseNumber,
      durationUs,
      bytes: this.writer.sentBytes,
      requestId: this.values.requestId,
    });
    if (this.span !== undefined) this.context.tracer?.endSpan(this.span, status, this.target?.route.app);
    this.client.exchangeFinished(this.keepAlive);
  }
}

function addressOf(target: UpstreamTarget): string {
  return `${target.upstream.host}:${target.upstream.port}`;
}
