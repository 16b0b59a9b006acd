/**
 * Reading the persisted log of an app: the lines matching a filter (time range, text, process, environment) from a
 * point (`since`, or after an id), or its newest lines; and following it, which goes on from the last line given with
 * every line stored after it, by id, so a reader that reconnects with the last id it saw misses and repeats nothing.
 */
import type { LogLineView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { LogLineQuery } from '../ports/log-repositories.js';
import { getApp } from '../use-cases/lookups.js';
import type { LogLineRecord } from './log-records.js';
import type { LogWriter } from './log-writer.js';

/** Lines one answer (or one page of a follow) holds at most. */
export const maxHistoryLines = 10_000;
/** How often a follower looks for new lines when no write woke it (lines stored by another process). */
export const historyPollMs = 1_000;

export interface LogHistoryInput {
  app: string;
  /** Absent: every environment. */
  environment?: string;
  process?: string;
  sinceMs?: number;
  untilMs?: number;
  grep?: string;
  afterId?: number;
  /** Lines at most: from the start point when there is one (`sinceMs`, `afterId`), else the newest. */
  limit: number;
}

export interface LogHistoryPage {
  lines: LogLineView[];
  /** Set when the answer stopped at `limit` with more lines after it: pass it as `afterId` for the next page. */
  nextAfterId?: number;
}

type HistoryDeps = Pick<CoreDeps, 'store' | 'clock'>;

/** Errors: `APP_NOT_FOUND`. */
export async function readLogHistory(deps: HistoryDeps, input: LogHistoryInput): Promise<LogHistoryPage> {
  const app = await getApp(deps.store, input.app);
  const limit = Math.min(input.limit, maxHistoryLines);
  const isFromPoint = input.afterId !== undefined || input.sinceMs !== undefined;
  const query: LogLineQuery = { ...filterOf(app.id, input), order: isFromPoint ? 'asc' : 'desc', limit: limit + 1 };
  const rows = await deps.store.logLines.list(query);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (!isFromPoint) page.reverse();
  const last = page.at(-1);
  return {
    lines: page.map(logLineViewOf),
    ...(isFromPoint && hasMore && last !== undefined ? { nextAfterId: last.id } : {}),
  };
}

/**
 * The lines of `readLogHistory` (every page of them when they start from a point), then every line stored after them
 * that matches the filter, as it is stored, until `signal` aborts or the app is gone. Errors: `APP_NOT_FOUND`, before
 * the first line.
 */
export async function* followLogHistory(
  deps: HistoryDeps & { writer?: Pick<LogWriter, 'onStored'> },
  input: LogHistoryInput & { signal?: AbortSignal },
): AsyncGenerator<LogLineView> {
  const app = await getApp(deps.store, input.app);
  let afterId = input.afterId ?? 0;
  if (input.afterId === undefined && input.sinceMs === undefined) {
    // Read before the backlog: every matching line up to it is in the backlog, so following starts past both.
    const lastBefore = await deps.store.logLines.lastId();
    const page = await readLogHistory(deps, input);
    for (const line of page.lines) yield line;
    afterId = Math.max(lastBefore, page.lines.at(-1)?.id ?? 0);
  }

  let wake: (() => void) | undefined;
  const unsubscribe = deps.writer?.onStored((lines) => {
    if (lines.some((line) => line.appId === app.id)) wake?.();
  });
  const pageLines = 500;
  try {
    while (input.signal?.aborted !== true) {
      const seen = await deps.store.logLines.lastId();
      const rows = await deps.store.logLines.list({
        ...filterOf(app.id, input),
        afterId,
        order: 'asc',
        limit: pageLines,
      });
      for (const row of rows) {
        afterId = row.id;
        yield logLineViewOf(row);
      }
      if (rows.length === pageLines) continue;
      // Lines the filter hid are not looked at again.
      afterId = Math.max(afterId, seen);
      if (!(await waitForLines(deps, input.signal, (resolve) => (wake = resolve)))) return;
      if ((await deps.store.apps.findById(app.id)) === undefined) return;
    }
  } finally {
    unsubscribe?.();
  }
}

/** Waits for a wake-up or `historyPollMs`; false when aborted. */
async function waitForLines(
  deps: HistoryDeps,
  signal: AbortSignal | undefined,
  setWake: (resolve: () => void) => void,
): Promise<boolean> {
  const timer = new AbortController();
  const onAbort = (): void => timer.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([
      new Promise<void>((resolve) => setWake(resolve)),
      deps.clock.sleep(historyPollMs, timer.signal).catch(() => undefined),
    ]);
  } finally {
    timer.abort();
    signal?.removeEventListener('abort', onAbort);
  }
  return signal?.aborted !== true;
}

function filterOf(appId: string, input: Omit<LogHistoryInput, 'limit'>): Omit<LogLineQuery, 'order' | 'limit'> {
  return {
    appId,
    ...(input.environment === undefined ? {} : { environment: input.environment }),
    ...(input.process === undefined ? {} : { process: input.process }),
    ...(input.sinceMs === undefined ? {} : { sinceMs: input.sinceMs }),
    ...(input.untilMs === undefined ? {} : { untilMs: input.untilMs }),
    ...(input.grep === undefined ? {} : { grep: input.grep }),
    ...(input.afterId === undefined ? {} : { afterId: input.afterId }),
  };
}

export function logLineViewOf(row: LogLineRecord): LogLineView {
  return {
    id: row.id,
    source: row.source,
    environment: row.environment,
    instanceId: row.instanceId,
    process: row.process,
    stream: row.stream,
    line: row.line,
    time: new Date(row.atMs).toISOString(),
  };
}
