/**
 * A shared watcher of a state topic: while at least one stream listens, it reads the state (on its interval, or at
 * once when woken), and only when the state's digest moved does it render one event for every listening stream. A
 * stream that joins gets the last state read at once; on reconnect a client simply gets a fresh one.
 */
import type { Logger } from '@slipway/core';
import type { TopicSink } from './live-stream.js';
import { createTopicTicker } from './topic-ticker.js';

export interface TopicWatcher {
  add(sink: TopicSink): void;
  remove(sink: TopicSink): void;
  readonly size: number;
  /** Stops its loop; the hub calls it when the last stream left, or once the topic is gone. */
  close(): void;
}

export type SinkEvent = { readonly event: string; readonly data: unknown } | undefined;

export interface StateSource<S> {
  readonly intervalMs: number;
  /** Reads the state now. A `*_NOT_FOUND` error ends the topic (`gone`). */
  read(): Promise<S>;
  digest(state: S): string;
  /** The event of a stream that joins (or of every stream, on the first read). */
  joined(state: S, sink: TopicSink): SinkEvent | Promise<SinkEvent>;
  /** The event of each stream when the state moved from `previous`. */
  changed(state: S, previous: S, sink: TopicSink): SinkEvent | Promise<SinkEvent>;
  /** An in-process signal that the state may have moved: read at once instead of at the next interval. */
  wake?(listener: () => void): () => void;
}

export function createStateWatcher<S>(
  source: StateSource<S>,
  options: { topic: string; logger: Logger; onGone: () => void },
): TopicWatcher {
  const sinks = new Set<TopicSink>();
  let last: { state: S; digest: string } | undefined;
  const deliver = async (sink: TopicSink, render: () => SinkEvent | Promise<SinkEvent>): Promise<void> => {
    try {
      const event = await render();
      if (event !== undefined && sinks.has(sink)) sink.push(event.event, event.data);
    } catch (error) {
      options.logger.warn({ err: error, topic: options.topic }, 'live topic event failed');
    }
  };

  const ticker = createTopicTicker({
    ...options,
    intervalMs: source.intervalMs,
    sinks: () => sinks,
    pass: async () => {
      const state = await source.read();
      const digest = source.digest(state);
      if (digest === last?.digest) return;
      const previous = last?.state;
      last = { state, digest };
      await Promise.all(
        [...sinks].map((sink) =>
          deliver(sink, () =>
            previous === undefined ? source.joined(state, sink) : source.changed(state, previous, sink),
          ),
        ),
      );
    },
  });
  const unwake = source.wake?.(() => ticker.wake());

  return {
    add(sink) {
      sinks.add(sink);
      if (sinks.size === 1 && last === undefined) ticker.wake();
      else if (last !== undefined) {
        const { state } = last;
        void deliver(sink, () => source.joined(state, sink));
      }
    },
    remove(sink) {
      sinks.delete(sink);
    },
    get size() {
      return sinks.size;
    },
    close() {
      ticker.close();
      unwake?.();
      sinks.clear();
    },
  };
}
