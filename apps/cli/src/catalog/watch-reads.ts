/**
 * `--watch` of the KV commands: one read, then blocking reads on its index; each answer that differs from the last is
 * handed on. A failed read is retried, less and less often; the loop ends when its signal is aborted.
 */
import type { BlockingOptions } from './catalog-client.js';

export interface WatchReadsOptions<T> {
  read(blocking: BlockingOptions): Promise<{ index: number; value: T | undefined }>;
  onChange(value: T | undefined): void;
  onError(message: string): void;
  signal: AbortSignal;
  /** `?wait=` of each blocking read. */
  waitMs: number;
}

const maxRetryDelayMs = 30_000;

function pause(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, delayMs);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const serialize = (value: unknown) =>
  JSON.stringify(value, (_key, item: unknown) =>
    item instanceof Uint8Array ? Buffer.from(item).toString('base64') : item,
  );

export async function watchReads<T>(options: WatchReadsOptions<T>): Promise<void> {
  const { signal } = options;
  let index = 0;
  let last: string | undefined;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const startedMs = Date.now();
      const answer = await options.read({ index, waitMs: options.waitMs, signal });
      if (signal.aborted) return;
      failures = 0;
      const seen = serialize(answer.value ?? null);
      if (seen !== last) options.onChange(answer.value);
      else if (answer.index === index && Date.now() - startedMs < 100) await pause(1_000, signal);
      last = seen;
      // An index that went back (the catalog restored a snapshot, or reaped tombstones) starts over from it.
      index = answer.index;
    } catch (error) {
      if (signal.aborted) return;
      failures += 1;
      options.onError(error instanceof Error ? error.message : String(error));
      await pause(Math.min(maxRetryDelayMs, 500 * 2 ** Math.min(failures, 6)), signal);
    }
  }
}
