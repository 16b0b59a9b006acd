/**
 * The one place background work runs (a retire, a crash restart, an orphan's removal, a router sync the caller does
 * not wait for): every failure is logged with its name and context instead of rejecting unhandled, which would end
 * slipwayd, and shutdown waits for what is still in flight.
 */
import type { Logger } from '../ports/logger.js';

export interface BackgroundSupervisor {
  /**
   * Starts `work` now and returns at once. A failure (a rejection, or a throw before its first await) is logged at
   * `warn` as `<name> failed` with `context`; it never rejects anywhere else. With `context.key`, work of the same
   * name and key still in flight is not started twice (a pass that sees the same crash again does not restart it
   * again). After `stop()`, new work is refused (logged at debug) so shutdown is not prolonged by it.
   */
  run(name: string, work: () => Promise<unknown>, context?: Readonly<Record<string, unknown>> & { key?: string }): void;
  /** Work started and not yet settled. */
  readonly inFlight: number;
  /** Resolves when nothing is in flight (tests, and the last step of `stop`). Never rejects. */
  idle(): Promise<void>;
  /** Refuses new work, then waits for what is in flight. Idempotent. */
  stop(): Promise<void>;
}

export function createBackgroundSupervisor(logger: Logger): BackgroundSupervisor {
  const running = new Set<Promise<void>>();
  const keys = new Set<string>();
  let isStopped = false;

  const idle = async (): Promise<void> => {
    while (running.size > 0) await Promise.all([...running]);
  };

  return {
    run(name, work, context = {}) {
      if (isStopped) {
        logger.debug({ ...context, work: name }, 'background work refused: shutting down');
        return;
      }
      const key = context.key === undefined ? undefined : `${name}\u0000${context.key}`;
      if (key !== undefined) {
        if (keys.has(key)) return;
        keys.add(key);
      }
      const done = (async () => work())()
        .then(
          () => undefined,
          (error: unknown) => logger.warn({ ...context, work: name, err: error }, `${name} failed`),
        )
        .finally(() => {
          running.delete(done);
          if (key !== undefined) keys.delete(key);
        });
      running.add(done);
    },
    get inFlight() {
      return running.size;
    },
    idle,
    async stop() {
      isStopped = true;
      await idle();
    },
  };
}
