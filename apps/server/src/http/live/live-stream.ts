/**
 * One open live stream: a bounded queue of formatted events, the cursor of each resumable topic (every event's id
 * encodes them all), and the loop that writes the queue to the socket. A client that lets the queue fill is dropped:
 * it reconnects with the last id it took and resumes from there, while slipwayd's memory stays bounded.
 */
import { encodeStreamCursor } from '@slipway/contract';
import type { Principal } from '@slipway/core';
import { formatSseEvent, type SseStream } from '../sse.js';

/** What a topic's watcher writes to one stream. */
export interface TopicSink {
  readonly topic: string;
  readonly principal: Principal;
  readonly signal: AbortSignal;
  /** Queues an event of the topic; `cursor` moves the topic's cursor first, so the event's id carries it. */
  push(event: string, data: unknown, cursor?: number): void;
  /** Moves the topic's cursor without an event (the next event's id carries it). */
  moveCursor(cursor: number): void;
  /** The topic's cursor: where the client resumes from (its `Last-Event-ID`) or the last one queued. */
  cursor(): number | undefined;
  /** Resolves once the queue is under half its bound (or the stream ended): for catching up without filling it. */
  hasRoom(): Promise<void>;
}

export interface LiveStream {
  sinkFor(topic: string): TopicSink;
  /** Queues an event that belongs to no topic (`ready`, `refused`). */
  pushControl(event: string, data: unknown): void;
  /** Writes the queue until the stream ends. */
  run(): Promise<void>;
  readonly signal: AbortSignal;
}

export function createLiveStream(options: {
  sse: SseStream;
  principal: Principal;
  cursors: Map<string, number>;
  maxQueuedChars: number;
  onOverflow: (queuedChars: number) => void;
}): LiveStream {
  const { sse, cursors } = options;
  const queue: string[] = [];
  let queuedChars = 0;
  let isDropped = false;
  let wakeWriter: (() => void) | undefined;
  const roomWaiters = new Set<() => void>();
  const releaseRoomWaiters = (): void => {
    for (const resolve of roomWaiters) resolve();
    roomWaiters.clear();
  };
  sse.signal.addEventListener('abort', releaseRoomWaiters, { once: true });

  const enqueue = (chunk: string): void => {
    if (isDropped || sse.signal.aborted) return;
    if (queuedChars + chunk.length > options.maxQueuedChars) {
      isDropped = true;
      options.onOverflow(queuedChars);
      sse.end();
      return;
    }
    queue.push(chunk);
    queuedChars += chunk.length;
    wakeWriter?.();
  };
  const idOf = (): string => encodeStreamCursor(cursors);

  return {
    signal: sse.signal,
    sinkFor(topic) {
      return {
        topic,
        principal: options.principal,
        signal: sse.signal,
        push(event, data, cursor) {
          if (cursor !== undefined) cursors.set(topic, cursor);
          enqueue(formatSseEvent(idOf(), event, data));
        },
        moveCursor(cursor) {
          cursors.set(topic, cursor);
        },
        cursor: () => cursors.get(topic),
        hasRoom() {
          if (sse.signal.aborted || queuedChars <= options.maxQueuedChars / 2) return Promise.resolve();
          return new Promise((resolve) => roomWaiters.add(resolve));
        },
      };
    },
    pushControl(event, data) {
      enqueue(formatSseEvent(idOf(), event, data));
    },
    async run() {
      while (!sse.signal.aborted) {
        const chunk = queue.shift();
        if (chunk === undefined) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              wakeWriter = undefined;
              sse.signal.removeEventListener('abort', done);
              resolve();
            };
            wakeWriter = done;
            sse.signal.addEventListener('abort', done, { once: true });
          });
          continue;
        }
        queuedChars -= chunk.length;
        await sse.sendFormatted(chunk);
        if (queuedChars <= options.maxQueuedChars / 2) releaseRoomWaiters();
      }
    },
  };
}
