/**
 * One keep-alive HTTP/1.1 connection from the router to an upstream instance: it carries one exchange at a time,
 * parses the response head, delimits the response body as it passes through and hands both to its listener. Kept
 * in the slot's idle list between exchanges. Its socket listeners are bound once, not per request.
 */
import { connect, type Socket } from 'node:net';
import { BodyFramer, type BodyMode } from './body-framer.js';
import { HttpHead, parseResponseHead } from './http-head.js';
import type { PooledConnection, UpstreamPool, UpstreamSlot } from './upstream-pool.js';

/** The exchange a connection currently carries. */
export interface ResponseListener {
  /** The socket connected: what was written so far has left, nothing needs replaying on another upstream. */
  onUpstreamConnected(): void;
  /** A 1xx response other than 101 (100 Continue, 103 Early Hints): more heads follow. */
  onInterimResponse(head: HttpHead, text: string): void;
  /** The final response head (or 101); the listener calls `expectBody` or `detach`. */
  onResponseHead(head: HttpHead): void;
  /** `data` is the connection's read buffer, reused by the next read: what must outlive the call is copied. */
  onResponseBody(data: Buffer, start: number, end: number): void;
  /** The read that brought the final response head has been handed over (a listener may hold the head until then). */
  sendHeldHead(): void;
  onResponseComplete(): void;
  /** The connection failed or closed before the response was complete; `reason` names how. */
  onUpstreamFailure(reason: UpstreamFailure, error: Error | undefined): void;
  /** The socket's write buffer emptied: the client may be read from again. */
  onUpstreamDrain(): void;
}

export type UpstreamFailure = 'connect' | 'closed' | 'bad-response';

/** A response head larger than this is refused (502). */
export const maxResponseHeadBytes = 65_536;

const headEnd = Buffer.from('\r\n\r\n');

/**
 * The read buffer every upstream connection of the process reads into (Node's `onread`), so that a read allocates
 * no buffer of its own: a read is handled, and what must outlive it copied, before the next one fills it.
 */
const sharedReadBuffer = Buffer.allocUnsafe(65_536);

export class UpstreamConnection implements PooledConnection {
  readonly socket: Socket;
  readonly slot: UpstreamSlot;
  idleUntilMs = 0;
  isConnected = false;
  /** Exchanges completed on this connection: above 0 it is a reused keep-alive connection. */
  exchangesServed = 0;
  /** Any byte of the current exchange's response arrived. */
  hasResponseBytes = false;
  /** The upstream may keep the connection after this response (HTTP/1.1, no `Connection: close`, delimited). */
  isReusable = true;
  /** From the response's `Keep-Alive: timeout=N`, in ms; undefined when absent. */
  keepAliveHintMs: number | undefined = undefined;
  private listener: ResponseListener | undefined = undefined;
  private pending: Buffer | undefined = undefined;
  private isHeadDone = false;
  private isDecoding = false;
  private readonly framer = new BodyFramer();
  private lastError: Error | undefined = undefined;
  private readonly decodeSink = (data: Buffer, start: number, end: number): void =>
    this.listener?.onResponseBody(data, start, end);

  constructor(
    slot: UpstreamSlot,
    private readonly pool: Pick<UpstreamPool, 'forget'>,
    isForTunnel = false,
  ) {
    this.slot = slot;
    // A tunnel's socket is piped after the 101: it reads into buffers of its own.
    this.socket = isForTunnel
      ? connect({ host: slot.host, port: slot.port, noDelay: true })
      : connect({
          host: slot.host,
          port: slot.port,
          noDelay: true,
          onread: { buffer: sharedReadBuffer, callback: this.onRead },
        });
    this.socket.on('connect', this.onConnect);
    if (isForTunnel) this.socket.on('data', this.onData);
    this.socket.on('drain', this.onDrain);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
  }

  /** Starts carrying an exchange. */
  begin(listener: ResponseListener): void {
    this.listener = listener;
    this.pending = undefined;
    this.isHeadDone = false;
    this.hasResponseBytes = false;
    this.isDecoding = false;
    this.keepAliveHintMs = undefined;
  }

  /** Called by the listener from `onResponseHead`: how the response body is delimited. */
  expectBody(mode: BodyMode, contentLength: number, isDecoding: boolean): void {
    this.framer.reset(mode, contentLength);
    this.isDecoding = isDecoding && mode === 'chunked';
    if (mode === 'close') this.isReusable = false;
  }

  /**
   * Ends the exchange without closing (the response is complete); returns whether the connection can be reused.
   * A response paused for a slow client may have completed in the same read: the socket flows again before it goes
   * back to the pool, or the next exchange on it would never see its response.
   */
  finishExchange(): boolean {
    this.listener = undefined;
    this.exchangesServed += 1;
    if (this.socket.isPaused()) this.socket.resume();
    return this.isReusable && this.pending === undefined && !this.socket.destroyed;
  }

  /** The client cannot take more of the response for now: stop reading it. */
  pauseResponse(): void {
    this.socket.pause();
  }

  /** The client drained: the response flows again. */
  resumeResponse(): void {
    this.socket.resume();
  }

  /** Hands the socket over (a 101 tunnel): the connection stops parsing. Returns bytes that followed the head. */
  detach(): Buffer | undefined {
    this.listener = undefined;
    this.isReusable = false;
    this.socket.off('data', this.onData);
    this.socket.off('drain', this.onDrain);
    const rest = this.pending;
    this.pending = undefined;
    return rest === undefined ? undefined : Buffer.from(rest);
  }

  /** A string (a head) goes out as latin1: field values keep the bytes they were read with (obs-text included). */
  write(data: string | Buffer): boolean {
    return this.socket.write(data, 'latin1');
  }

  close(): void {
    this.listener = undefined;
    this.socket.destroy();
  }

  private readonly onConnect = (): void => {
    this.isConnected = true;
    this.listener?.onUpstreamConnected();
  };

  private readonly onDrain = (): void => {
    this.listener?.onUpstreamDrain();
  };

  private readonly onError = (error: Error): void => {
    this.lastError = error;
  };

  private readonly onClose = (): void => {
    const listener = this.listener;
    this.listener = undefined;
    if (listener === undefined) {
      // Closed while idle (by the upstream, or for bytes nobody asked for): a request sent on it would never leave.
      this.pool.forget(this.slot, this);
      return;
    }
    if (this.isHeadDone) {
      this.framer.endOfInput();
      if (this.framer.isComplete) {
        listener.onResponseComplete();
        return;
      }
    }
    listener.onUpstreamFailure(this.isConnected ? 'closed' : 'connect', this.lastError);
  };

  private readonly onRead = (size: number, buffer: Uint8Array): boolean => {
    this.onData((buffer as Buffer).subarray(0, size));
    return true;
  };

  private readonly onData = (chunk: Buffer): void => {
    const listener = this.listener;
    if (listener === undefined) {
      // Bytes nobody asked for (on an idle connection, or after a complete response): it cannot be reused.
      this.socket.destroy();
      return;
    }
    this.hasResponseBytes = true;
    if (this.isHeadDone) {
      this.consumeBody(listener, chunk, 0);
      return;
    }
    const data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    this.parseHeads(listener, data, 0);
  };

  private parseHeads(listener: ResponseListener, data: Buffer, from: number): void {
    let at = from;
    for (;;) {
      const end = data.indexOf(headEnd, at);
      if (end === -1) {
        if (data.length - at > maxResponseHeadBytes) return this.fail(listener);
        // Kept past this read: a copy (the read buffer is reused).
        this.pending = Buffer.from(data.subarray(at));
        return;
      }
      if (end - at > maxResponseHeadBytes) return this.fail(listener);
      const text = data.toString('latin1', at, end);
      const head = new HttpHead();
      if (parseResponseHead(text, head) !== undefined) return this.fail(listener);
      at = end + 4;
      if (head.statusCode >= 100 && head.statusCode < 200 && head.statusCode !== 101) {
        listener.onInterimResponse(head, text);
        if (this.listener !== listener) return;
        continue;
      }
      this.isHeadDone = true;
      this.noteReuse(head);
      // The listener calls expectBody, or detach (101); it may also end the exchange at once.
      this.pending = at < data.length ? data.subarray(at) : undefined;
      listener.onResponseHead(head);
      if (this.listener === listener) {
        const rest = this.pending;
        this.pending = undefined;
        if (rest !== undefined) this.consumeBody(listener, rest, 0);
        else if (this.framer.isComplete) this.complete(listener, false);
      }
      listener.sendHeldHead();
      return;
    }
  }

  private consumeBody(listener: ResponseListener, data: Buffer, from: number): void {
    const end = this.framer.consume(data, from, data.length, this.isDecoding ? this.decodeSink : undefined);
    if (end === -1) return this.fail(listener);
    if (!this.isDecoding && end > from) listener.onResponseBody(data, from, end);
    if (this.framer.isComplete && this.listener === listener) this.complete(listener, end < data.length);
  }

  private complete(listener: ResponseListener, hasExtraBytes: boolean): void {
    // Bytes past the end of a complete response mean the upstream and the router disagree: never reuse it.
    if (hasExtraBytes) this.isReusable = false;
    listener.onResponseComplete();
  }

  private noteReuse(head: HttpHead): void {
    if (!head.isKeepAlive) this.isReusable = false;
    for (let i = 0; i < head.lowerNames.length; i += 1) {
      if (head.lowerNames[i] !== 'keep-alive') continue;
      const seconds = keepAliveTimeoutSeconds(head.values[i] ?? '');
      // A second early: the upstream may close right at its limit, racing a request sent on it.
      if (seconds !== undefined) this.keepAliveHintMs = Math.max(0, seconds * 1_000 - 1_000);
    }
  }

  private fail(listener: ResponseListener): void {
    this.listener = undefined;
    this.isReusable = false;
    this.socket.destroy();
    listener.onUpstreamFailure('bad-response', undefined);
  }
}

/** `timeout=N` of a `Keep-Alive` field (`timeout=5, max=1000`), in seconds; undefined when absent or not a number. */
export function keepAliveTimeoutSeconds(value: string): number | undefined {
  const lower = value.toLowerCase();
  let at = lower.indexOf('timeout');
  if (at === -1) return undefined;
  at += 7;
  while (lower.charCodeAt(at) === 32) at += 1;
  if (lower.charCodeAt(at) !== 61) return undefined; // '='
  at += 1;
  while (lower.charCodeAt(at) === 32) at += 1;
  let end = at;
  while (lower.charCodeAt(end) >= 48 && lower.charCodeAt(end) <= 57) end += 1;
  return end === at ? undefined : Number(lower.slice(at, end));
}
