/**
 * Server-sent events on a raw response: headers, one event per write, heartbeats, clean end on disconnect, and the
 * disconnection of a client that stopped reading.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SlipwayError } from '@slipway/contract';

declare module 'fastify' {
  interface FastifyInstance {
    /** Event streams open per client address, bounded by `installStreamLimit`. */
    openStreams: {
      readonly maxPerClient: number;
      readonly byClient: Map<string, number>;
      /** How long a stream's socket may stay backed up (not drained) before slipwayd closes it. */
      readonly stallTimeoutMs: number;
      /** Streams closed so far because their client stopped reading. */
      stalledDisconnects: number;
    };
  }
}

/** A client that takes nothing for this long is gone in all but name. */
export const defaultStreamStallTimeoutMs = 60_000;

/**
 * Bounds the event streams one client address may hold open at once (each holds a socket and a subscription), and how
 * long one may stay stalled: a client that never reads would otherwise hold its socket and a pending write forever.
 */
export function installStreamLimit(
  app: FastifyInstance,
  maxPerClient: number,
  options: { stallTimeoutMs?: number | undefined } = {},
): void {
  app.decorate('openStreams', {
    maxPerClient,
    byClient: new Map<string, number>(),
    stallTimeoutMs: options.stallTimeoutMs ?? defaultStreamStallTimeoutMs,
    stalledDisconnects: 0,
  });
}

export interface SseStream {
  /**
   * Writes one event; resolves once the client has taken what was written so far (its socket drained), or it went
   * away. Awaiting each send is what keeps a client that reads slowly, or not at all, from growing slipwayd's memory:
   * at most one write's worth waits for it.
   */
  send(event: { id?: number | string; event: string; data: unknown }): Promise<void>;
  /** Writes events already formatted (`id:`, `event:`, `data:` lines and the blank line); resolves as `send` does. */
  sendFormatted(chunk: string): Promise<void>;
  end(): void;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

/** Between two heartbeat comments, unless the caller says (the live stream's is configurable). */
const defaultHeartbeatMs = 15_000;

export interface SseOptions {
  /** Between two heartbeat comments (default 15 s). */
  readonly heartbeatMs?: number;
  /** Sent as `retry:` first: how long a client's `EventSource` waits before it reconnects. */
  readonly retryMs?: number;
  /**
   * `false` leaves the stream out of the per-address bound, for a stream bounded per principal by its route instead
   * (the live stream: many users behind one address, or one user's many tabs).
   */
  readonly isCountedPerClient?: boolean;
}

/**
 * `until` ends the stream from the server's side (shutdown); clients reconnect with `Last-Event-ID`. Errors:
 * `TOO_MANY_STREAMS` when the client already holds the most streams it may.
 */
export function openSse(
  request: FastifyRequest,
  reply: FastifyReply,
  until?: AbortSignal,
  options: SseOptions = {},
): SseStream {
  const { openStreams } = request.server;
  const client = request.ip;
  const isCounted = options.isCountedPerClient !== false;
  const held = openStreams.byClient.get(client) ?? 0;
  if (isCounted && held >= openStreams.maxPerClient) {
    throw new SlipwayError(
      'TOO_MANY_STREAMS',
      `this client already holds ${held} open event streams, the most it may; close one and retry`,
      { details: { limit: openStreams.maxPerClient } },
    );
  }
  if (isCounted) openStreams.byClient.set(client, held + 1);
  let isHeld = isCounted;
  const release = (): void => {
    if (!isHeld) return;
    isHeld = false;
    const now = (openStreams.byClient.get(client) ?? 1) - 1;
    if (now <= 0) openStreams.byClient.delete(client);
    else openStreams.byClient.set(client, now);
  };
  const controller = new AbortController();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(request.id),
  });
  res.write(options.retryMs === undefined ? ': stream open\n\n' : `: stream open\nretry: ${options.retryMs}\n\n`);
  // A write the socket did not take arms the stall timer; a drain disarms it. Heartbeats count too, so a client that
  // stops reading a quiet stream is found as well.
  let stallTimer: NodeJS.Timeout | undefined;
  const disarmStall = (): void => {
    clearTimeout(stallTimer);
    stallTimer = undefined;
  };
  const watchStall = (isTaken: boolean): void => {
    if (isTaken || stallTimer !== undefined || controller.signal.aborted) return;
    stallTimer = setTimeout(disconnectStalled, openStreams.stallTimeoutMs);
    stallTimer.unref();
  };
  const disconnectStalled = (): void => {
    stallTimer = undefined;
    openStreams.stalledDisconnects += 1;
    request.log.warn(
      { stallTimeoutMs: openStreams.stallTimeoutMs, stalledDisconnects: openStreams.stalledDisconnects },
      'event stream disconnected: its client took nothing within the stall timeout',
    );
    close();
    res.destroy();
  };
  res.on('drain', disarmStall);
  // A client whose writes are backed up is not idle: no heartbeat is queued behind them.
  const heartbeat = setInterval(() => {
    if (!res.writableNeedDrain) watchStall(res.write(': keep-alive\n\n'));
  }, options.heartbeatMs ?? defaultHeartbeatMs);
  heartbeat.unref();
  const close = (): void => {
    release();
    clearInterval(heartbeat);
    disarmStall();
    res.off('drain', disarmStall);
    // The shutdown signal outlives every stream: a stream the client closed must not leave its listener there.
    until?.removeEventListener('abort', close);
    controller.abort();
  };
  request.raw.on('close', close);
  res.on('close', close);
  if (until?.aborted) close();
  else until?.addEventListener('abort', close, { once: true });
  const sendFormatted = async (chunk: string): Promise<void> => {
    if (controller.signal.aborted) return;
    const isTaken = res.write(chunk);
    watchStall(isTaken);
    if (!isTaken) await drained(res, controller.signal);
  };
  return {
    signal: controller.signal,
    send: ({ id, event, data }) => sendFormatted(formatSseEvent(id, event, data)),
    sendFormatted,
    end() {
      close();
      res.end();
    },
  };
}

/** One event as the stream carries it; `id` must hold no line break (ours are numbers and cursor encodings). */
export function formatSseEvent(id: number | string | undefined, event: string, data: unknown): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Resolves on the response's next `drain`, or when the stream ends; removes what it listened with either way. */
function drained(res: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
