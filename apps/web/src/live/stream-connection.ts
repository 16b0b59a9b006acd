/**
 * One connection to `/api/v1/stream?topics=…` (docs/live-updates.md), with no DOM: a tab's stream and the shared
 * worker's use it alike.
 * - It opens for the topics it is given while active, and reopens when they change (after a short debounce), resuming
 *   with `Last-Event-ID`.
 * - A dropped stream reopens after a backoff with full jitter (1 s doubling to 30 s); a `401`/`403` answer is final
 *   (the session is over or the topics refused): no retry until `restart`.
 * - `rejoin(topic)` reopens it without that topic's cursor, so the topic starts again as a fresh subscriber's does
 *   (a state topic's snapshot, a log's newest lines): for a second reader joining a topic already carried. Readers
 *   already on it see items they hold again; the log views drop a line they hold by its id.
 * - A stream silent for longer than two heartbeats (and a bit: `silenceLimitMs`) is dropped and reopened: a hung
 *   server or a half-open connection reads as a dropped stream, never as a live one.
 * Read with `fetch` (not `EventSource`) so the status of a refusal is seen.
 */
import { readSseStream, type SseEvent } from '@slipway/contract/sse-parser';

export type LiveState = 'idle' | 'connecting' | 'open' | 'retrying' | 'stopped';

export interface StreamConnectionHandlers {
  /** Fetches the stream (the tab's `sessionFetch`, or the worker's plain `fetch`). */
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly onEvent: (event: SseEvent) => void;
  readonly onState: (state: LiveState) => void;
  /** The stream was refused with this status (`401` or `403`): it stays stopped until `restart`. */
  readonly onRefused?: (status: number) => void;
}

const minBackoffMs = 1_000;
const maxBackoffMs = 30_000;
const reopenDebounceMs = 50;
/** The server's heartbeat interval until its `ready` event says (docs/live-updates.md). */
const defaultHeartbeatMs = 15_000;

/** How long a stream may stay silent before it counts as dropped: two heartbeats missed, and some slack. */
export function silenceLimitMs(heartbeatMs: number): number {
  return 2 * heartbeatMs + Math.min(heartbeatMs, 5_000);
}

export class StreamConnection {
  private controller: AbortController | undefined;
  private lastEventId: string | undefined;
  private failures = 0;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private openTopicsKey = '';
  private topicsKey = '';
  private isActive = true;
  /** The topics a `403` refused, while stopped by it. */
  private refusedTopicsKey: string | undefined;
  state: LiveState = 'idle';
  /** When the stream last sent a byte (a heartbeat too): what it carried holds as of then. */
  heardAtMs: number | undefined;

  constructor(
    private readonly handlers: StreamConnectionHandlers,
    private readonly path = '/api/v1/stream',
  ) {}

  /** The topics to carry, and whether to carry them now (a hidden tab: not). */
  setTopics(topics: Iterable<string>, isActive: boolean, delayMs = reopenDebounceMs): void {
    const key = [...new Set(topics)].sort().join(',');
    // Nothing changed: a pending reopen (a backoff) keeps its time.
    if (key === this.topicsKey && isActive === this.isActive) return;
    this.topicsKey = key;
    this.isActive = isActive;
    // Topics refused as a whole (403) stay stopped; other topics are asked for again.
    if (this.state === 'stopped' && this.refusedTopicsKey !== undefined && this.refusedTopicsKey !== this.topicsKey) {
      this.restart();
      return;
    }
    this.schedule(delayMs);
  }

  /** Reopens without `topic`'s cursor: it starts again as for a new subscriber. */
  rejoin(topic: string): void {
    this.forget(topic);
    if (this.controller !== undefined) {
      this.close();
      this.schedule(reopenDebounceMs);
    }
  }

  /** Drops `topic`'s cursor (a topic no longer carried): carried again later, it starts from its start. */
  forget(topic: string): void {
    if (this.lastEventId !== undefined) this.lastEventId = withoutCursor(this.lastEventId, topic);
  }

  /** Stops for good (the session ended); `restart` opens it again. */
  stop(): void {
    this.close();
    this.setState('stopped');
  }

  restart(): void {
    this.refusedTopicsKey = undefined;
    this.failures = 0;
    this.close();
    this.setState('idle');
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.state === 'stopped') return;
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => this.reconcile(), delayMs);
  }

  private reconcile(): void {
    const key = this.topicsKey;
    if (key === '' || !this.isActive) {
      this.close();
      if (this.state !== 'stopped') this.setState('idle');
      return;
    }
    if (this.controller !== undefined && key === this.openTopicsKey) return;
    this.close();
    void this.open(key);
  }

  private close(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.openTopicsKey = '';
  }

  private async open(key: string): Promise<void> {
    const controller = new AbortController();
    let silenceTimer: ReturnType<typeof setTimeout> | undefined;
    let isSilent = false;
    this.controller = controller;
    this.openTopicsKey = key;
    this.setState('connecting');
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    try {
      const response = await this.handlers.fetch(`${this.path}?topics=${encodeURIComponent(key)}`, {
        headers,
        signal: controller.signal,
        credentials: 'same-origin',
      });
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel().catch(() => undefined);
        this.stop();
        if (response.status === 403) this.refusedTopicsKey = key;
        this.handlers.onRefused?.(response.status);
        return;
      }
      if (!response.ok || response.body === null) throw new Error(`stream answered ${response.status}`);
      this.setState('open');
      this.failures = 0;
      let limitMs = silenceLimitMs(defaultHeartbeatMs);
      const listen = (): void => {
        this.heardAtMs = Date.now();
        clearTimeout(silenceTimer);
        silenceTimer = setTimeout(() => {
          isSilent = true;
          controller.abort();
        }, limitMs);
      };
      listen();
      // Every byte (a heartbeat comment too) says the stream is alive.
      const heard = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, sink) => {
            listen();
            sink.enqueue(chunk);
          },
        }),
      );
      for await (const event of readSseStream(heard)) {
        if (event.id !== undefined) this.lastEventId = event.id;
        if (event.event === 'ready') {
          limitMs = silenceLimitMs(heartbeatOf(event.data) ?? defaultHeartbeatMs);
          listen();
        }
        this.handlers.onEvent(event);
      }
      throw new Error('stream ended');
    } catch {
      if (this.controller !== controller || (controller.signal.aborted && !isSilent)) return;
      this.controller = undefined;
      this.failures += 1;
      this.setState('retrying');
      const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.failures - 1, 10));
      this.schedule(Math.round(Math.random() * ceiling) + 250);
    } finally {
      clearTimeout(silenceTimer);
    }
  }

  private setState(state: LiveState): void {
    if (this.state === state) return;
    this.state = state;
    this.handlers.onState(state);
  }
}

/** An event id (`v1;<topic>=<cursor>;…`) without `topic`'s cursor; an id of another shape is kept as it is. */
export function withoutCursor(eventId: string, topic: string): string {
  const [version, ...cursors] = eventId.split(';');
  if (version !== 'v1') return eventId;
  return [version, ...cursors.filter((cursor) => cursor.slice(0, cursor.lastIndexOf('=')) !== topic)].join(';');
}

/** The topic an event belongs to: its `topic` field; none for stream-wide events (refusals, `ready`). */
export function topicOf(event: SseEvent): string | undefined {
  try {
    const data = JSON.parse(event.data) as { topic?: unknown };
    return typeof data.topic === 'string' ? data.topic : undefined;
  } catch {
    return undefined;
  }
}

/** The heartbeat interval a `ready` event announces, if it is a sensible one. */
function heartbeatOf(data: string): number | undefined {
  try {
    const { heartbeatMs } = JSON.parse(data) as { heartbeatMs?: unknown };
    return typeof heartbeatMs === 'number' && heartbeatMs > 0 && heartbeatMs <= 600_000 ? heartbeatMs : undefined;
  } catch {
    return undefined;
  }
}
