/** One abort signal for an engine call made by a build: fired by the build's timeout or by the caller's signal. */
import type { BuildRequest } from '@slipway/core';

export interface BuildDeadline {
  /** Aborts the engine call (its HTTP request is destroyed, which makes the engine cancel the build or pull). */
  readonly signal: AbortSignal;
  /** Why it fired: `timeout` (request.timeoutMs passed), `cancelled` (request.signal), or undefined. */
  readonly reason: 'timeout' | 'cancelled' | undefined;
  /** Stops the timer and the listener; idempotent. */
  dispose(): void;
}

export function startBuildDeadline(request: Pick<BuildRequest, 'timeoutMs' | 'signal'>): BuildDeadline {
  const controller = new AbortController();
  let reason: 'timeout' | 'cancelled' | undefined;
  const fire = (why: 'timeout' | 'cancelled') => {
    if (reason !== undefined) return;
    reason = why;
    controller.abort(new Error(why === 'timeout' ? 'build timed out' : 'build cancelled'));
  };
  const timer = setTimeout(() => fire('timeout'), Math.max(0, request.timeoutMs));
  const onAbort = () => fire('cancelled');
  if (request.signal?.aborted === true) onAbort();
  else request.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    get reason() {
      return reason;
    },
    dispose() {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    },
  };
}
