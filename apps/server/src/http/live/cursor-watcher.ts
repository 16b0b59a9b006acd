/**
 * A shared watcher of a resumable topic (log lines, a deployment's journal, the audit log), whose items carry a
 * persisted, growing sequence number. One loop reads what is new after its head for every listening stream; a stream
 * that joins first catches up by itself from its own cursor (page by page, waiting for room in its queue) while the
 * items the shared loop reads meanwhile wait in its buffer, then it goes live: every item reaches it once, in order.
 *
 * 1. `add` registers the stream as catching up: from here on every item the shared loop reads is buffered for it.
 * 2. It reads the store from its cursor (its `Last-Event-ID`, or where a fresh subscription starts) until a page comes
 *    back short: everything stored before step 1 is in those pages, since the loop's head was at most there.
 * 3. It sends the buffered items past its cursor, and is live: the shared loop now sends to it directly.
 */
import type { Logger } from '@slipway/core';
import type { TopicSink } from './live-stream.js';
import type { TopicWatcher } from './state-watcher.js';
import { createTopicTicker } from './topic-ticker.js';

export interface CursorSource<T> {
  readonly pollMs: number;
  readonly event: string;
  /** The greatest sequence number stored now: where the shared loop starts. */
  head(): Promise<number>;
  /** Items after `after`, oldest first, at most `limit`. A `*_NOT_FOUND` error ends the topic (`gone`). */
  read(after: number, limit: number): Promise<T[]>;
  /** Where a stream without a cursor starts, with the items it gets first (the newest few log lines). */
  fresh(): Promise<{ items: T[]; cursor: number }>;
  cursorOf(item: T): number;
  dataOf(item: T): unknown;
  /** An in-process signal that new items may be stored. */
  wake?(listener: () => void): () => void;
}

const pageItems = 500;
/** Items buffered for a catching-up stream at most; past it the buffer is dropped and the stream reads them itself. */
const maxBufferedItems = 5_000;

interface Listener {
  readonly sink: TopicSink;
  isLive: boolean;
  buffer: unknown[];
  isBufferDropped: boolean;
}

export function createCursorWatcher<T>(
  source: CursorSource<T>,
  options: { topic: string; logger: Logger; onGone: () => void },
): TopicWatcher {
  const listeners = new Map<TopicSink, Listener>();
  let headCursor: number | undefined;
  /** Read once, before any stream catches up: what is stored up to it, catching up reads; what comes after, the loop. */
  let headRead: Promise<void> | undefined;
  const send = (sink: TopicSink, item: T): void => {
    const cursor = source.cursorOf(item);
    if (cursor > (sink.cursor() ?? 0)) sink.push(source.event, { topic: options.topic, ...wrap(item) }, cursor);
  };
  const wrap = (item: T): Record<string, unknown> => source.dataOf(item) as Record<string, unknown>;

  const ticker = createTopicTicker({
    ...options,
    intervalMs: source.pollMs,
    sinks: () => listeners.keys(),
    pass: async () => {
      await headRead;
      if (headCursor === undefined) return;
      for (;;) {
        const items = await source.read(headCursor, pageItems);
        for (const item of items) {
          headCursor = source.cursorOf(item);
          for (const listener of listeners.values()) {
            if (listener.isLive) send(listener.sink, item);
            else if (listener.buffer.length < maxBufferedItems) listener.buffer.push(item);
            else {
              listener.buffer = [];
              listener.isBufferDropped = true;
            }
          }
        }
        if (items.length < pageItems) break;
      }
    },
  });
  const unwake = source.wake?.(() => ticker.wake());

  async function catchUp(listener: Listener): Promise<void> {
    const { sink } = listener;
    await headRead;
    if (sink.cursor() === undefined) {
      const start = await source.fresh();
      for (const item of start.items) send(sink, item);
      if ((sink.cursor() ?? 0) < start.cursor) sink.moveCursor(start.cursor);
    }
    do {
      listener.isBufferDropped = false;
      for (;;) {
        await sink.hasRoom();
        if (sink.signal.aborted || !listeners.has(sink)) return;
        const items = await source.read(sink.cursor() ?? 0, pageItems);
        for (const item of items) send(sink, item);
        if (items.length < pageItems) break;
      }
    } while (listener.isBufferDropped);
    for (const item of listener.buffer as T[]) send(sink, item);
    listener.buffer = [];
    listener.isLive = true;
    sink.push('caught-up', { topic: options.topic }, sink.cursor());
  }

  return {
    add(sink) {
      const listener: Listener = { sink, isLive: false, buffer: [], isBufferDropped: false };
      listeners.set(sink, listener);
      if (headRead === undefined) {
        headRead = source.head().then((head) => {
          headCursor = head;
        });
        ticker.wake();
      }
      catchUp(listener).catch((error: unknown) => {
        if (ticker.endIfGone(error)) return;
        options.logger.warn({ err: error, topic: options.topic }, 'live topic catch-up failed');
        listeners.delete(sink);
      });
    },
    remove(sink) {
      listeners.delete(sink);
    },
    get size() {
      return listeners.size;
    },
    close() {
      ticker.close();
      unwake?.();
      listeners.clear();
    },
  };
}
