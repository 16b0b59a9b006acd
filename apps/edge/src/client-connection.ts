/**
 * One client connection to the router: reads request heads (pipelined ones in order), runs one exchange at a time,
 * keeps the connection alive between them, and turns into a tunnel after a 101. Idle connections and request
 * heads that take too long are closed by the traffic server's sweep. Its socket listeners are bound once.
 */
import type { Socket } from 'node:net';
import { errorResponseText, headErrorKind, type EdgeErrorKind } from './error-response.js';
import { Exchange, type ExchangeClient } from './exchange.js';
import { HttpHead, parseRequestHead } from './http-head.js';
import type { TrafficContext } from './traffic-context.js';

/** The request line and header fields together (Node's and nginx's default is 8–16 KiB). */
export const maxRequestHeadBytes = 16_384;
/** Pipelined bytes buffered while an exchange runs; beyond this the client is not read from until it ends. */
const maxBufferedBytes = 65_536;

export interface ClientTimeouts {
  /** A keep-alive connection without a request is closed after this. */
  readonly idleMs: number;
  /** A request head must be complete this long after its first byte (slow-loris). */
  readonly headMs: number;
}

const headEnd = Buffer.from('\r\n\r\n');

export class ClientConnection implements ExchangeClient {
  readonly clientAddress: string;
  readonly localPort: string;
  /** The scheme the client spoke, as `X-Forwarded-Proto` tells the upstream. */
  readonly proto: 'http' | 'https';
  readonly isTrustedPeer: boolean;
  isEnded = false;
  private exchange: Exchange | undefined = undefined;
  private input: Buffer | undefined = undefined;
  private scanFrom = 0;
  private headStartedAtMs = 0;
  private lastActiveMs: number;
  /** Set once the connection will carry no further request. */
  private isClosing = false;
  private isTunnel = false;
  private isProcessing = false;
  private isPausedForInput = false;

  constructor(
    readonly socket: Socket,
    private readonly context: TrafficContext,
    private readonly onGone: (connection: ClientConnection) => void,
    proto: 'http' | 'https' = 'http',
  ) {
    this.proto = proto;
    this.clientAddress = stripMappedIpv4(socket.remoteAddress ?? '');
    this.localPort = String(socket.localPort ?? '');
    this.isTrustedPeer = context.trustedProxies.has(this.clientAddress);
    this.lastActiveMs = context.nowMs;
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

  /** Closes the connection when it has been idle, or its request head has been arriving, for too long. */
  sweep(nowMs: number, timeouts: ClientTimeouts): void {
    if (this.exchange !== undefined || this.isTunnel || this.isClosing || this.socket.destroyed) return;
    if (this.headStartedAtMs !== 0 && nowMs - this.headStartedAtMs > timeouts.headMs) this.refuse('head-timeout');
    else if (this.input === undefined && nowMs - this.lastActiveMs > timeouts.idleMs) this.socket.destroy();
  }

  /** Shutdown: a connection between requests is closed at once; a busy one closes after its response. */
  closeIfIdle(): void {
    if (this.isIdle) this.socket.destroy();
  }

  exchangeFinished(keepAlive: boolean): void {
    this.exchange = undefined;
    this.lastActiveMs = this.context.nowMs;
    if (!keepAlive || this.isClosing || this.context.state.isClosing) return this.endConnection();
    if (this.isPausedForInput) {
      this.isPausedForInput = false;
      this.socket.resume();
    }
    if (this.input !== undefined) this.processInput();
    // A client that half-closed gets the answers to every request it sent, then the close.
    if (this.isEnded && this.exchange === undefined) this.endConnection();
  }

  private endConnection(): void {
    this.isClosing = true;
    this.input = undefined;
    this.socket.end();
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.isPausedForInput) this.socket.resume();
  }

  startTunnel(upstream: Socket, onClosed: () => void): void {
    this.isTunnel = true;
    const client = this.socket;
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
    this.lastActiveMs = this.context.nowMs;
    const exchange = this.exchange;
    if (exchange === undefined) {
      if (this.isClosing) return;
      this.append(chunk);
      this.processInput();
      return;
    }
    if (!exchange.isRequestDone) {
      const end = exchange.takeRequestBody(chunk, 0, chunk.length);
      if (end === -1 || end === chunk.length) return;
      this.append(chunk.subarray(end));
    } else this.append(chunk);
    if (this.input !== undefined && this.input.length > maxBufferedBytes && !this.isPausedForInput) {
      this.isPausedForInput = true;
      this.socket.pause();
    }
  };

  private append(chunk: Buffer): void {
    this.input = this.input === undefined ? chunk : Buffer.concat([this.input, chunk]);
  }

  /** Starts the exchanges of the complete request heads buffered, one at a time. */
  private processInput(): void {
    if (this.isProcessing) return;
    this.isProcessing = true;
    try {
      while (this.exchange === undefined && this.input !== undefined && !this.isClosing) {
        // An incomplete head stays buffered as it is: wait for more bytes.
        if (!this.nextRequest(this.input)) break;
      }
    } finally {
      this.isProcessing = false;
    }
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
    this.input = undefined;
    const response = errorResponseText(kind, { host: '', accept: undefined, requestId: '' }, true, false);
    this.socket.end(response.text);
  }

  private readonly onEnd = (): void => {
    this.isEnded = true;
    if (this.exchange === undefined && !this.isTunnel) this.socket.end();
  };

  private readonly onDrain = (): void => {
    this.exchange?.onClientDrain();
  };

  private readonly onError = (): void => {
    // 'close' follows.
  };

  private readonly onClose = (): void => {
    this.onGone(this);
    if (!this.isTunnel) this.exchange?.abort();
  };
}

function stripMappedIpv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
