/** Retries a check until it passes or a deadline passes: the bounded alternative to fixed sleeps in tests. */

export interface WaitForOptions {
  /** Give up after this long and rethrow the check's last failure; default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts; default 25 ms. */
  intervalMs?: number;
}

/**
 * Calls `check` until it returns without throwing (a failing `expect` throws) and resolves with its result.
 * Uses real time: do not combine it with fake timers.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
