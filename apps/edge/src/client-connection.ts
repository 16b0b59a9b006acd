/**
 * One client connection to the router: reads request heads (pipelined ones in order), runs one exchange at a time,
 * keeps the connection alive between them, and turns into a tunnel after a 101. It is not read from while its
 * answers, its buffered requests or its upstream are backed up. Every phase is timed by the traffic server's sweep
 * (idle, head, body, sending, linger after the last answer, a tunnel without traffic). Its socket listeners are bound once.
 */
import type { Socket } from 'node:net';
import type { ClientTimeouts } from './client-limits.js';
import { errorResponseText, headErrorKind, type EdgeErrorKind } from './error-response.js';
import { Exchange, type ExchangeClient } from './exchange.js';
import { connectionClose, HttpHead, parseRequestHead } from './http-head.js';
import type { TrafficContext } from './traffic-context.js';

/** The request line and header fields together (Node's and nginx's default is 8–16 KiB). */
export const maxRequestHeadBytes = 16_384;
/** Pipelined bytes buffered while an exchange runs; beyond this the client is not read from until it ends. */
const maxBufferedBytes = 65_536;

/** Why the socket is not read from (any of them pauses it). */
const pausedForUpstream = 1;
const pausedForInput = 2;
/** Answers the client has not taken: it is not read (nor its next request answered) until they drain. */
const pausedForOutput = 4;

const headEnd = Buffer.from('\r\n\r\n');

export class ClientConnection implements ExchangeClient {
  readonly localPort: string;
  readonly isTrustedPeer: boolean;
  isEnded = false;
  private exchange: Exchange | undefined = undefined;
  private input: Buffer | undefined = undefined;
  private scanFrom = 0;
  private headStartedAtMs = 0;
  /** When the connection last had nothing to do (opened, or an exchange finished): blank lines do not move it. */
  private idleSinceMs: number;
  private lastReadMs: number;
  /** Requests started since the client last waited for every answer (see `maxPipelinedRequests`). */
  private aheadCount = 0;
  /** Set once the connection will carry no further request. */
  private isClosing = false;
  private closingSinceMs = 0;
  private isTunnel = false;
  /** When the tunnel last carried a byte, either way. */
  private tunnelActiveMs = 0;
  private isProcessing = false;
  private pausedFor = 0;
  /** Send progress as of the last sweep: bytes queued then, since when none left, and whether a drain came. */
  private queuedAtSweep = 0;
  private sendWaitingSinceMs = 0;
  private hasDrained = false;

  constructor(
    readonly socket: Socket,
    readonly clientAddress: string,
    private readonly context: TrafficContext,
    private readonly onGone: (connection: ClientConnection) => void,
    /** The scheme the client spoke, as `X-Forwarded-Proto` tells the upstream. */
    readonly proto: 'http' | 'https' = 'http',
  ) {
    this.localPort = String(socket.localPort ?? '');
    this.isTrustedPeer = context.trustedProxies.has(this.clientAddress);
    this.idleSinceMs = context.nowMs;
    this.lastReadMs = context.nowMs;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  get hasPendingInput(): boolean {
    return this.input !== undefined;
  }

  /** No exchange running and no byte of a next request received: safe to close. */
  get isIdle(): boolean {
    return this.exchange === undefined && this.input === undefined && !this.isTunnel;
  }

  /** The request body is not read because the upstream does not take it: a stall is the upstream's, not the client's. */
  get isHeldByUpstream(): boolean {
    return (this.pausedFor & pausedForUpstream) !== 0;
  }

  /** Ends the phase that has taken too long: idle, head, body, sending to a client that does not read, linger. */
  sweep(nowMs: number, timeouts: ClientTimeouts): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    if (this.isTunnel) {
      // A tunnel's bytes are the new protocol's (its own pings keep it open); a silent one would hold two
      // descriptors for ever. Closing the client side closes the upstream side too (see `startTunnel`).
      if (nowMs - this.tunnelActiveMs > timeouts.tunnelIdleMs) socket.destroy();
      return;
    }
    if (this.isSendStalled(nowMs, timeouts.sendMs)) {
      socket.destroy();
      return;
    }
    if (this.isClosing) {
      // Linger counts from when the last answer has left (bytes still queued push it on; a stall is cut above):
      // then the client has had its time to read it and close, and its descriptor is not kept for it.
      if (socket.writableLength > 0) this.closingSinceMs = nowMs;
      else if (nowMs - this.closingSinceMs > timeouts.lingerMs) socket.destroy();
      return;
    }
    const exchange = this.exchange;
    if (exchange !== undefined) {
      if (exchange.isBodyOwedByClient && nowMs - this.lastReadMs > timeouts.bodyMs)
        exchange.failRequestBody('body-timeout');
      return;
    }
    if (this.headStartedAtMs !== 0 && nowMs - this.headStartedAtMs > timeouts.headMs) this.refuse('head-timeout');
    else if (this.input === undefined && nowMs - this.idleSinceMs > timeouts.idleMs) socket.destroy();
  }

  /** Shutdown: a connection between requests is closed at once; a busy one closes after its response. */
  closeIfIdle(): void {
    if (this.isIdle) this.socket.destroy();
  }

  exchangeFinished(keepAlive: boolean): void {
    this.exchange = undefined;
    this.idleSinceMs = this.context.nowMs;
    if (!keepAlive || this.isClosing || this.context.state.isClosing) return this.endConnection();
    this.setPaused(pausedForUpstream, false);
    if (this.socket.writableNeedDrain) this.setPaused(pausedForOutput, true);
    if (this.input !== undefined) this.processInput();
    this.endIfDone();
  }

  /** A client that half-closed gets the answers to every request it sent, then the close. */
  private endIfDone(): void {
    if (this.isEnded && this.exchange === undefined && !this.isClosing && (this.pausedFor & pausedForOutput) === 0)
      this.endConnection();
  }

  private endConnection(): void {
    this.isClosing = true;
    this.closingSinceMs = this.context.nowMs;
    this.input = undefined;
    this.socket.end();
    this.lingerReading();
  }

  /**
   * While the last answer leaves, what the client still sends is read and dropped (unread, it would reset the close
   * and could discard the answer) — unless the client does not take that answer either: then it is not read at all.
   */
  private lingerReading(): void {
    const isReading = !this.socket.writableNeedDrain;
    const pausedFor = isReading ? 0 : pausedForOutput;
    if (pausedFor === this.pausedFor) return;
    const wasPaused = this.pausedFor !== 0;
    this.pausedFor = pausedFor;
    if (isReading && wasPaused) this.socket.resume();
    else if (!isReading && !wasPaused) this.socket.pause();
  }

  pauseReading(): void {
    this.setPaused(pausedForUpstream, true);
  }

  resumeReading(): void {
    // The body's stall clock starts again: the wait was the upstream's.
    this.lastReadMs = this.context.nowMs;
    this.setPaused(pausedForUpstream, false);
  }

  private setPaused(reason: number, isPaused: boolean): void {
    const before = this.pausedFor;
    const after = isPaused ? before | reason : before & ~reason;
    if (after === before || this.isClosing) return;
    this.pausedFor = after;
    if (before === 0) this.socket.pause();
    else if (after === 0) this.socket.resume();
  }

  /** Bytes are queued for the client and none has left for `sendMs`: it does not read. */
  private isSendStalled(nowMs: number, sendMs: number): boolean {
    const queued = this.socket.writableLength;
    if (queued === 0) {
      this.sendWaitingSinceMs = 0;
      return false;
    }
    if (this.sendWaitingSinceMs === 0 || queued < this.queuedAtSweep || this.hasDrained)
      this.sendWaitingSinceMs = nowMs;
    this.queuedAtSweep = queued;
    this.hasDrained = false;
    return nowMs - this.sendWaitingSinceMs > sendMs;
  }

  startTunnel(upstream: Socket, onClosed: () => void): void {
    this.isTunnel = true;
    this.tunnelActiveMs = this.context.nowMs;
    const client = this.socket;
    const onActive = (): void => {
      this.tunnelActiveMs = this.context.nowMs;
    };
    client.on('data', onActive);
    upstream.on('data', onActive);
    client.off('data', this.onData);
    client.off('drain', this.onDrain);
    upstream.on('error', () => upstream.destroy());
    // Bytes the client sent after its request, held until the upstream switched: the new protocol's first ones.
    const early = this.input;
    this.input = undefined;
    if (early !== undefined) upstream.write(early);
    let open = 2;
    const closed = (): void => {
      open -= 1;
      if (open === 0) onClosed();
    };
    client.once('close', closed);
    upstream.once('close', closed);
    // Once one side has fully closed, let the other flush what it still holds, then close it.
    upstream.once('close', () => {
      if (!client.destroyed) client.end(() => client.destroy());
    });
    client.once('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.lastReadMs = this.context.nowMs;
    const exchange = this.exchange;
    if (exchange === undefined) {
      if (this.isClosing) return;
      // The client waited for every answer before this: it is not sending ahead.
      if (this.input === undefined) this.aheadCount = 0;
      this.append(chunk);
      this.processInput();
    } else if (!exchange.isRequestDone) {
      const end = exchange.takeRequestBody(chunk, 0, chunk.length);
      if (end === -1 || end === chunk.length) return;
      this.append(chunk.subarray(end));
    } else this.append(chunk);
    if (this.input !== undefined && this.input.length > maxBufferedBytes) this.setPaused(pausedForInput, true);
  };

  private append(chunk: Buffer): void {
    this.input = this.input === undefined ? chunk : Buffer.concat([this.input, chunk]);
  }

  /** Starts the exchanges of the complete request heads buffered, one at a time, while the client takes its answers. */
  private processInput(): void {
    if (this.isProcessing) return;
    this.isProcessing = true;
    try {
      while (this.exchange === undefined && this.input !== undefined && !this.isClosing) {
        if (this.socket.writableNeedDrain) {
          this.setPaused(pausedForOutput, true);
          break;
        }
        // An incomplete head stays buffered as it is: wait for more bytes.
        if (!this.nextRequest(this.input)) break;
      }
    } finally {
      this.isProcessing = false;
    }
    if ((this.pausedFor & pausedForInput) !== 0 && (this.input?.length ?? 0) <= maxBufferedBytes)
      this.setPaused(pausedForInput, false);
  }

  /** Takes the next request off `data`; false when its head has not fully arrived yet. */
  private nextRequest(data: Buffer): boolean {
    // RFC 9112 §2.2: empty lines before a request line are ignored.
    let start = 0;
    while (data[start] === 13 && data[start + 1] === 10) start += 2;
    const end = data.indexOf(headEnd, Math.max(start, this.scanFrom));
    if (end === -1) {
      if (data.length - start > maxRequestHeadBytes) {
        this.refuse('head-too-large');
        return false;
      }
      this.input = start === data.length ? undefined : data;
      this.scanFrom = Math.max(0, data.length - 3);
      if (this.input !== undefined && this.headStartedAtMs === 0) this.headStartedAtMs = this.context.nowMs;
      return false;
    }
    if (end - start > maxRequestHeadBytes) {
      this.refuse('head-too-large');
      return true;
    }
    const head = new HttpHead();
    const error = parseRequestHead(data.toString('latin1', start, end), head);
    const bodyStart = end + 4;
    this.input = bodyStart < data.length ? data.subarray(bodyStart) : undefined;
    this.scanFrom = 0;
    this.headStartedAtMs = 0;
    if (error !== undefined) {
      this.refuse(headErrorKind(error));
      return true;
    }
    // A client that keeps sending ahead of its answers gets its last one with `Connection: close`.
    this.aheadCount += 1;
    if (this.aheadCount >= this.context.limits.maxPipelinedRequests) head.connection |= connectionClose;
    const exchange = new Exchange(this, head, this.context);
    this.exchange = exchange;
    exchange.start();
    const rest = this.input;
    if (rest === undefined || this.exchange !== exchange) return true;
    this.input = undefined;
    // After an upgrade request, too, what follows waits: for the 101 (then it goes through the tunnel), or for the
    // next request. Sent on at once, it would reach an upstream that refuses to switch as a request of its own.
    if (exchange.isRequestDone) {
      this.input = rest;
      return true;
    }
    const bodyEnd = exchange.takeRequestBody(rest, 0, rest.length);
    if (bodyEnd !== -1 && bodyEnd < rest.length && !this.isClosing) this.input = rest.subarray(bodyEnd);
    return true;
  }

  /** A malformed request: answered with its error and the connection closed (nothing after it can be trusted). */
  private refuse(kind: EdgeErrorKind): void {
    this.isClosing = true;
    this.closingSinceMs = this.context.nowMs;
    this.input = undefined;
    const response = errorResponseText(kind, { host: '', accept: undefined, requestId: '' }, true, false);
    this.socket.end(response.text);
    this.lingerReading();
  }

  private readonly onEnd = (): void => {
    this.isEnded = true;
    if (this.isTunnel) return;
    const exchange = this.exchange;
    if (exchange === undefined) return this.endIfDone();
    // The body was cut short: the client's fault, whatever the upstream would have answered.
    if (!exchange.isRequestDone) exchange.failRequestBody('body-incomplete');
  };

  private readonly onDrain = (): void => {
    this.hasDrained = true;
    if (this.isClosing) return this.lingerReading();
    this.exchange?.onClientDrain();
    if ((this.pausedFor & pausedForOutput) === 0) return;
    this.setPaused(pausedForOutput, false);
    if (this.exchange !== undefined) return;
    this.processInput();
    this.endIfDone();
  };

  private readonly onError = (): void => {
    // 'close' follows.
  };

  private readonly onClose = (): void => {
    this.onGone(this);
    if (!this.isTunnel) this.exchange?.abort();
  };
}

/** The client's address as the access log, `X-Forwarded-For` and the per-address cap see it (IPv4 unmapped). */
export function clientAddressOf(socket: Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
