/**
 * Writes log lines to the store in batches (one transaction for many lines), each app's queue bounded: an app printing
 * faster than the store takes its lines has the excess dropped and counted, and a line stored in their place says how
 * many. Each app's text is kept within its byte budget as it is written (pruned once a tenth of it was added), so a
 * chatty app cannot grow the disk past its budget between two retention passes.
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { LogLineRecord, NewLogLine } from './log-records.js';
import { appRetention, type LogSettings } from './log-settings.js';

export interface LogWriter {
  /** Queues a line; never waits. A line past the app's queue bound is dropped and counted. */
  write(line: NewLogLine): void;
  /** Resolves once every line written so far is stored (or dropped). */
  flush(): Promise<void>;
  /** Called with each batch once stored, in id order. */
  onStored(listener: (lines: readonly LogLineRecord[]) => void): () => void;
  /** Lines dropped so far because an app's queue was full, per app id. */
  droppedLines(): ReadonlyMap<string, number>;
}

interface AppQueue {
  lines: NewLogLine[];
  /** Dropped since the last line saying so was queued. */
  droppedSinceNotice: number;
  /** The last line dropped: the line saying so takes its app, instance and process. */
  lastDropped?: NewLogLine;
}

const utf8 = new TextEncoder();

export function createLogWriter(deps: {
  store: Pick<Store, 'transaction' | 'logLines' | 'logSettings'>;
  clock: Clock;
  logger: Logger;
  settings: LogSettings;
}): LogWriter {
  const queues = new Map<string, AppQueue>();
  /** Bytes added per app since it was last pruned to its budget. */
  const budgets = new Map<string, { bytesSincePrune: number }>();
  const dropped = new Map<string, number>();
  const listeners = new Set<(lines: readonly LogLineRecord[]) => void>();
  let running: Promise<void> | undefined;

  const queueOf = (appId: string): AppQueue => {
    let queue = queues.get(appId);
    if (queue === undefined) {
      queue = { lines: [], droppedSinceNotice: 0 };
      queues.set(appId, queue);
    }
    return queue;
  };

  async function storeAll(): Promise<void> {
    for (;;) {
      const batch: NewLogLine[] = [];
      for (const [appId, queue] of queues) {
        if (queue.droppedSinceNotice > 0 && queue.lines.length < deps.settings.maxQueuedLinesPerApp) {
          const like = queue.lastDropped ?? queue.lines[0];
          if (like !== undefined) batch.push(droppedNotice(like, queue.droppedSinceNotice, deps.clock.nowMs()));
          queue.droppedSinceNotice = 0;
        }
        const taken = queue.lines.splice(0, deps.settings.linesPerTransaction - batch.length);
        batch.push(...taken);
        if (queue.lines.length === 0 && queue.droppedSinceNotice === 0) queues.delete(appId);
        if (batch.length >= deps.settings.linesPerTransaction) break;
      }
      if (batch.length === 0) return;
      let stored: LogLineRecord[];
      try {
        stored = await deps.store.transaction((tx) => tx.logLines.append(batch));
      } catch (error) {
        for (const line of batch) dropped.set(line.appId, (dropped.get(line.appId) ?? 0) + 1);
        deps.logger.warn({ err: error, lines: batch.length }, 'log lines not stored');
        continue;
      }
      for (const listener of listeners) listener(stored);
      await keepWithinBudget(stored);
    }
  }

  async function keepWithinBudget(stored: readonly LogLineRecord[]): Promise<void> {
    const added = new Map<string, number>();
    for (const line of stored) added.set(line.appId, (added.get(line.appId) ?? 0) + utf8.encode(line.line).byteLength);
    for (const [appId, bytes] of added) {
      const state = budgets.get(appId) ?? { bytesSincePrune: 0 };
      state.bytesSincePrune += bytes;
      budgets.set(appId, state);
      const { maxBytes } = await appRetention(deps.store, deps.settings, appId);
      if (state.bytesSincePrune * 10 < maxBytes) continue;
      state.bytesSincePrune = 0;
      try {
        await deps.store.logLines.pruneToSize(appId, maxBytes);
      } catch (error) {
        deps.logger.warn({ err: error, appId }, 'log lines not pruned');
      }
    }
  }

  const run = (): Promise<void> => {
    running ??= (async () => {
      // Let the lines of one burst join one batch.
      await Promise.resolve();
      try {
        await storeAll();
      } catch (error) {
        deps.logger.warn({ err: error }, 'log lines not stored');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  return {
    write(line) {
      const queue = queueOf(line.appId);
      if (queue.lines.length >= deps.settings.maxQueuedLinesPerApp) {
        queue.droppedSinceNotice += 1;
        queue.lastDropped = line;
        dropped.set(line.appId, (dropped.get(line.appId) ?? 0) + 1);
      } else {
        queue.lines.push(line);
      }
      void run();
    },
    async flush() {
      while (running !== undefined || queues.size > 0) await run();
    },
    onStored(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    droppedLines: () => dropped,
  };
}

function droppedNotice(like: NewLogLine, count: number, atMs: number): NewLogLine {
  return {
    ...like,
    stream: 'stderr',
    atMs,
    line: `[slipway] ${count} log line(s) dropped: the app wrote faster than its lines could be stored`,
  };
}
