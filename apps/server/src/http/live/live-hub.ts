/**
 * The live streams' shared watchers: one per topic, however many streams listen to it, created with the first and
 * closed with the last (or when its topic is gone); and the bound on streams per principal and in all.
 */
import { SlipwayError } from '@slipway/contract';
import type { TopicSink } from './live-stream.js';
import type { TopicWatcher } from './state-watcher.js';

export interface LiveHubLimits {
  /** Streams one user may hold open at once (a person's tabs, over every credential). */
  readonly maxStreamsPerPrincipal: number;
  /** Streams slipwayd holds open at once. */
  readonly maxStreams: number;
}

export interface LiveHub {
  /** Counts a stream against the bounds; returns its release. Errors: `TOO_MANY_STREAMS`. */
  admit(userId: string): () => void;
  /** Adds the stream to the topic's watcher (creating it); returns the removal. */
  subscribe(topic: string, sink: TopicSink): () => void;
  /** Watchers running now, and streams open: what the bounds and the memory budget are about. */
  stats(): { watchers: number; streams: number; droppedSlowStreams: number };
  /** Counts a stream dropped for not taking its events. */
  countDropped(): void;
  close(): void;
}

export function createLiveHub(options: {
  limits: LiveHubLimits;
  createWatcher: (topic: string, onGone: () => void) => TopicWatcher;
}): LiveHub {
  const watchers = new Map<string, TopicWatcher>();
  const streamsByUser = new Map<string, number>();
  let streams = 0;
  let droppedSlowStreams = 0;
  return {
    admit(userId) {
      const held = streamsByUser.get(userId) ?? 0;
      if (held >= options.limits.maxStreamsPerPrincipal || streams >= options.limits.maxStreams) {
        const isUserBound = held >= options.limits.maxStreamsPerPrincipal;
        throw new SlipwayError(
          'TOO_MANY_STREAMS',
          isUserBound
            ? `this user already holds ${held} live streams, the most one may; close a tab and retry`
            : 'slipwayd holds the most live streams it may; retry later',
          {
            details: {
              limit: isUserBound ? options.limits.maxStreamsPerPrincipal : options.limits.maxStreams,
            },
          },
        );
      }
      streamsByUser.set(userId, held + 1);
      streams += 1;
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        streams -= 1;
        const now = (streamsByUser.get(userId) ?? 1) - 1;
        if (now <= 0) streamsByUser.delete(userId);
        else streamsByUser.set(userId, now);
      };
    },
    subscribe(topic, sink) {
      let watcher = watchers.get(topic);
      if (watcher === undefined) {
        const created = options.createWatcher(topic, () => {
          created.close();
          if (watchers.get(topic) === created) watchers.delete(topic);
        });
        watcher = created;
        watchers.set(topic, watcher);
      }
      const subscribed = watcher;
      subscribed.add(sink);
      return () => {
        subscribed.remove(sink);
        if (subscribed.size === 0 && watchers.get(topic) === subscribed) {
          subscribed.close();
          watchers.delete(topic);
        }
      };
    },
    stats: () => ({ watchers: watchers.size, streams, droppedSlowStreams }),
    countDropped() {
      droppedSlowStreams += 1;
    },
    close() {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
