/**
 * Listens for the edge's wake signals (scale to zero): a long poll of the router for the process types whose requests
 * it holds, each then woken through `wakeProcess`. One poll at a time, each with its deadline; stopping aborts the
 * poll under way and waits for the wakes being applied.
 */
import type { CoreDeps } from '../core-deps.js';
import { wakeProcess } from './cold-start.js';

export interface ColdStartWakerSettings {
  /** How long one poll waits for a signal before asking again. */
  readonly pollWaitMs: number;
  /** After a failed poll (the edge restarting), before the next. */
  readonly retryMs: number;
  /** Decisions kept per process type (as the autoscaler's). */
  readonly decisionsKept: number;
}

export const defaultColdStartWakerSettings: ColdStartWakerSettings = {
  pollWaitMs: 25_000,
  retryMs: 1_000,
  decisionsKept: 200,
};

export interface ColdStartWaker {
  start(): void;
  /** Aborts the poll under way and waits for the loop to end. */
  stop(): Promise<void>;
}

export function createColdStartWaker(deps: CoreDeps, settings: ColdStartWakerSettings): ColdStartWaker {
  const { logger } = deps;
  let abort = new AbortController();
  let loop: Promise<void> | undefined;

  const pause = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolvePause) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolvePause();
      }
    });

  const run = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      let wakes;
      try {
        wakes = await deps.router.awaitWakes(settings.pollWaitMs, signal);
      } catch (error) {
        if (signal.aborted) return;
        logger.debug({ err: error }, 'wake signals not read, asking again');
        await pause(settings.retryMs, signal);
        continue;
      }
      for (const wake of wakes) {
        try {
          const outcome = await wakeProcess(deps, wake, settings.decisionsKept);
          if (outcome === 'rollout') logger.info({ ...wake }, 'not woken: a rollout owns the count');
        } catch (error) {
          logger.warn({ ...wake, err: error }, 'wake failed');
        }
      }
    }
  };

  return {
    start() {
      if (loop !== undefined) return;
      abort = new AbortController();
      loop = run(abort.signal).catch((error: unknown) => logger.error({ err: error }, 'cold start waker failed'));
    },
    async stop() {
      abort.abort();
      await loop;
      loop = undefined;
    },
  };
}
