/**
 * Coalesces bursts of changes, as consul-template's `wait`: fire once the changes have been quiet for `minMs`, and at
 * the latest `maxMs` after the first change of the burst, however long it goes on.
 */

/** Timers the debouncer uses; tests pass a manual clock. */
export interface DebounceTimers {
  nowMs(): number;
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: DebounceTimers = {
  nowMs: () => Date.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Debouncer {
  /** A change: (re)arms the timer within the burst's bounds. */
  trigger(): void;
  /** Drops a pending fire. */
  cancel(): void;
  readonly isPending: boolean;
}

export function createDebouncer(options: {
  minMs: number;
  maxMs: number;
  onFire: () => void;
  timers?: DebounceTimers;
}): Debouncer {
  const timers = options.timers ?? realTimers;
  let handle: unknown;
  let burstStartMs: number | undefined;
  const fire = () => {
    handle = undefined;
    burstStartMs = undefined;
    options.onFire();
  };
  return {
    get isPending() {
      return burstStartMs !== undefined;
    },
    trigger() {
      const nowMs = timers.nowMs();
      burstStartMs ??= nowMs;
      if (handle !== undefined) timers.clearTimeout(handle);
      const dueMs = Math.min(nowMs + options.minMs, burstStartMs + Math.max(options.maxMs, options.minMs));
      handle = timers.setTimeout(fire, Math.max(0, dueMs - nowMs));
    },
    cancel() {
      if (handle !== undefined) timers.clearTimeout(handle);
      handle = undefined;
      burstStartMs = undefined;
    },
  };
}
