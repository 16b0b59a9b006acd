/**
 * The read loop of a topic's watcher: one pass at a time, the next after `intervalMs` or at once when woken (a wake
 * during a pass runs one more pass right after it). A `*_NOT_FOUND` error ends the topic: `gone` to every stream, then
 * the hub closes the watcher; other errors are logged and the loop goes on.
 */
import { isSlipwayError } from '@slipway/contract';
import type { Logger } from '@slipway/core';
import type { TopicSink } from './live-stream.js';

export interface TopicTicker {
  /** Runs a pass now (or right after the one running). */
  wake(): void;
  /** Sends `gone` when `error` says the topic's subject no longer exists; true when it did. */
  endIfGone(error: unknown): boolean;
  close(): void;
  readonly isClosed: boolean;
}

export function createTopicTicker(options: {
  topic: string;
  intervalMs: number;
  logger: Logger;
  sinks: () => Iterable<TopicSink>;
  onGone: () => void;
  pass: () => Promise<void>;
}): TopicTicker {
  let timer: NodeJS.Timeout | undefined;
  let isRunning = false;
  let isWokenWhileRunning = false;
  let isClosed = false;

  const schedule = (): void => {
    if (isClosed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), options.intervalMs);
    timer.unref();
  };

  const endIfGone = (error: unknown): boolean => {
    if (!isSlipwayError(error) || !error.code.endsWith('_NOT_FOUND')) return false;
    if (isClosed) return true;
    for (const sink of options.sinks()) {
      sink.push('gone', { topic: options.topic, code: error.code, message: error.message });
    }
    options.onGone();
    return true;
  };

  async function run(): Promise<void> {
    if (isClosed) return;
    if (isRunning) {
      isWokenWhileRunning = true;
      return;
    }
    isRunning = true;
    try {
      await options.pass();
    } catch (error) {
      if (endIfGone(error)) return;
      options.logger.warn({ err: error, topic: options.topic }, 'live topic read failed');
    } finally {
      isRunning = false;
    }
    if (isWokenWhileRunning) {
      isWokenWhileRunning = false;
      void run();
    } else schedule();
  }

  return {
    wake: () => void run(),
    endIfGone,
    close() {
      isClosed = true;
      clearTimeout(timer);
    },
    get isClosed() {
      return isClosed;
    },
  };
}
