/**
 * The process types whose requests the router (or one of its workers) holds, until slipwayd takes them with
 * `GET /wakes` (a long poll): a set by process type, so it is bounded by the routes, however many requests wait.
 */
import type { WakeRequest } from '@slipway/contract';

/** The longest wait of `GET /wakes` (the contract's `maxWakeWaitMs`). */
export const maxWakeWaitMs = 60_000;

export interface WakeSignals {
  /** A wakeable route held a request while none was held. */
  readonly signal: (request: WakeRequest) => void;
  /** The process types signalled since the last take: at once when there are some, else the first within `waitMs`. */
  readonly take: (waitMs: number) => Promise<WakeRequest[]>;
  /** Answers every waiting take with what is pending (shutdown, handover). */
  readonly flush: () => void;
}

export function createWakeSignals(): WakeSignals {
  const pending = new Map<string, WakeRequest>();
  const waiters = new Set<() => void>();

  const takePending = (): WakeRequest[] => {
    const requests = [...pending.values()];
    pending.clear();
    return requests;
  };

  const flush = (): void => {
    for (const wake of [...waiters]) wake();
  };

  return {
    signal: (request) => {
      pending.set(`${request.app} ${request.environment} ${request.process}`, request);
      flush();
    },
    take: (waitMs) => {
      if (pending.size > 0 || waitMs <= 0) return Promise.resolve(takePending());
      return new Promise((resolveTake) => {
        const wake = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolveTake(takePending());
        };
        const timer = setTimeout(wake, Math.min(waitMs, maxWakeWaitMs));
        waiters.add(wake);
      });
    },
    flush,
  };
}
