/**
 * Listens for the edge's wake signals (scale to zero): a long poll of the router for the process types whose requests
 * it holds, each then woken through `wakeProcess`. A wake a rollout refused is tried again after each short poll
 * until the rollout ends (bounded by the longest hold time: the requests are gone after it). One poll at a time,
 * each with its deadline; stopping aborts the poll under way and waits for the wakes being applied.
 */
import type { WakeRequest } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { idleKey, wakeProcess } from './cold-start.js';

/** The longest hold time (`scaleToZero.holdTimeoutSeconds` at most 300): a refused wake is not tried after it. */
const maxDeferMs = 300_000;

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

  /** Wakes a rollout refused, by process type, with the time after which they are dropped. */
  const deferred = new Map<string, { wake: WakeRequest; untilMs: number }>();

  const apply = async (wake: WakeRequest): Promise<void> => {
    const key = idleKey(wake);
    try {
      const outcome = await wakeProcess(deps, wake, settings.decisionsKept);
      if (outcome !== 'rollout') {
        deferred.delete(key);
        return;
      }
      const untilMs = deferred.get(key)?.untilMs ?? deps.clock.nowMs() + maxDeferMs;
      if (deps.clock.nowMs() > untilMs) deferred.delete(key);
      else if (!deferred.has(key)) {
        deferred.set(key, { wake, untilMs });
        logger.info({ ...wake }, 'not woken yet: a rollout owns the count');
      }
    } catch (error) {
      deferred.delete(key);
      logger.warn({ ...wake, err: error }, 'wake failed');
    }
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      let wakes: WakeRequest[];
      try {
        const waitMs = deferred.size > 0 ? Math.min(settings.pollWaitMs, settings.retryMs) : settings.pollWaitMs;
        wakes = await deps.router.awaitWakes(waitMs, signal);
      } catch (error) {
        if (signal.aborted) return;
        logger.debug({ err: error }, 'wake signals not read, asking again');
        await pause(settings.retryMs, signal);
        continue;
      }
      const due = new Map([...deferred].map(([key, { wake }]) => [key, wake]));
      for (const wake of wakes) due.set(idleKey(wake), wake);
      for (const wake of due.values()) await apply(wake);
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
