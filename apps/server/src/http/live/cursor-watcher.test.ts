import { describe, expect, it } from 'vitest';
import type { Principal } from '@slipway/core';
import { silentLogger, waitFor } from '@slipway/testkit';
import { createCursorWatcher, type CursorSource } from './cursor-watcher.js';
import type { TopicSink } from './live-stream.js';

/** Items numbered 1, 2, 3 … as a persisted sequence is; reads yield to the event loop as a store's do. */
function sequence(): CursorSource<number> & { append(count: number): void; readonly last: number } {
  const stored: number[] = [];
  const listeners = new Set<() => void>();
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    pollMs: 60_000,
    event: 'item',
    async head() {
      await tick();
      return stored.length;
    },
    async read(after, limit) {
      await tick();
      return stored.slice(after, after + limit);
    },
    async fresh() {
      await tick();
      return { items: stored.slice(-3), cursor: stored.length };
    },
    cursorOf: (item) => item,
    dataOf: (item) => ({ item }),
    wake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    append(count) {
      for (let n = 0; n < count; n += 1) stored.push(stored.length + 1);
      for (const listener of listeners) listener();
    },
    get last() {
      return stored.length;
    },
  };
}

/** A stream that records the items it was sent, resuming from `cursor` when given. */
function recordingSink(topic: string, cursor?: number): TopicSink & { readonly items: number[] } {
  const items: number[] = [];
  let at = cursor;
  return {
    topic,
    principal: {} as Principal,
    signal: new AbortController().signal,
    items,
    push(event, data, next) {
      if (next !== undefined) at = next;
      if (event === 'item') items.push((data as { item: number }).item);
    },
    moveCursor(next) {
      at = next;
    },
    cursor: () => at,
    hasRoom: () => Promise.resolve(),
  };
}

const consecutive = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, n) => from + n);

describe('a resumable topic’s shared watcher', () => {
  it('sends every item once and in order to streams that join while items keep coming', async () => {
    const source = sequence();
    source.append(1_200);
    const watcher = createCursorWatcher(source, { topic: 'logs:shop', logger: silentLogger, onGone: () => undefined });
    const fresh = recordingSink('logs:shop');
    watcher.add(fresh);
    const streams: { sink: ReturnType<typeof recordingSink>; from: number }[] = [];
    // Streams resuming from old cursors join while items are appended in bursts.
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    for (const cursor of [0, 10, 700, 1_150]) {
      await turn();
      source.append(37);
      const sink = recordingSink('logs:shop', cursor);
      watcher.add(sink);
      streams.push({ sink, from: cursor + 1 });
      await turn();
      source.append(501);
    }
    source.append(5);
    await waitFor(async () => {
      for (const { sink } of streams) expect(sink.items.at(-1)).toBe(source.last);
    });
    for (const { sink, from } of streams) expect(sink.items).toEqual(consecutive(from, source.last));
    // Without a cursor: the newest three items when it joined, then every one after them.
    expect(fresh.items.length).toBeGreaterThan(3);
    expect(fresh.items).toEqual(consecutive(fresh.items[0] ?? 0, source.last));
    expect(watcher.size).toBe(5);
    watcher.close();
  });

  it('ends the topic with `gone` when its subject no longer exists', async () => {
    const source = sequence();
    let isGone = false;
    const { SlipwayError } = await import('@slipway/contract');
    const failing: CursorSource<number> = {
      ...source,
      read: () => Promise.reject(new SlipwayError('DEPLOYMENT_NOT_FOUND', 'no deployment dep_1')),
    };
    const watcher = createCursorWatcher(failing, {
      topic: 'deployment:dep_1',
      logger: silentLogger,
      onGone: () => {
        isGone = true;
      },
    });
    const events: string[] = [];
    const sink = recordingSink('deployment:dep_1', 0);
    watcher.add({ ...sink, push: (event) => events.push(event) });
    await waitFor(async () => expect(isGone).toBe(true));
    expect(events).toContain('gone');
  });
});
