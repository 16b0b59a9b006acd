/**
 * Deadlines of runtime calls: the coded error an aborted call rejects with, and the race every driver runs its work
 * in so that it rejects as soon as its signal aborts, whatever it was waiting on.
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';

/**
 * The error of a call whose signal aborted: the signal's reason when it is a `SlipwayError` (the `RuntimeSet` aborts
 * with a `RUNTIME_TIMEOUT` naming the runtime, the call and the deadline), else a `RUNTIME_TIMEOUT` of its own.
 */
export function runtimeCallAborted(signal: AbortSignal, what = 'runtime call'): SlipwayError {
  const reason: unknown = signal.reason;
  if (isSlipwayError(reason)) return reason;
  const detail = reason instanceof Error ? reason.message : 'aborted';
  return new SlipwayError('RUNTIME_TIMEOUT', `${what} did not finish before its deadline (${detail})`, {
    cause: reason,
  });
}

/**
 * Runs `work` and settles with it, unless `signal` aborts first: then rejects at once with `runtimeCallAborted`,
 * also when it was aborted before the call. The work is told through the same signal and should stop; whatever it
 * settles with later is dropped (never an unhandled rejection).
 */
export async function abortableCall<T>(
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
  what?: string,
): Promise<T> {
  if (signal === undefined) return work();
  if (signal.aborted) throw runtimeCallAborted(signal, what);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(runtimeCallAborted(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = work();
  running.catch(() => undefined);
  try {
    return await Promise.race([running, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
