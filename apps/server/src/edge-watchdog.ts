/**
 * Keeps the edge router serving while slipwayd runs: respawns it when it stops answering, and re-sends the routing
 * table at once to a router that is new (respawned, or restarted by someone else — possibly with an empty table),
 * instead of leaving it to the periodic refresh.
 */
import type { Logger, RouterStatus } from '@slipway/core';

export interface EdgeWatchdog {
  stop(): Promise<void>;
}

export interface EdgeWatchdogOptions {
  router: { status(): Promise<RouterStatus>; ensureRunning(): Promise<void> };
  /** Re-sends the full routing table. */
  resync: () => Promise<unknown>;
  logger: Logger;
  /** The router's pid when the watchdog starts (its table was just sent). */
  initialPid: number | null;
  intervalMs?: number;
}

export function startEdgeWatchdog(options: EdgeWatchdogOptions): EdgeWatchdog {
  const intervalMs = options.intervalMs ?? 1_000;
  let knownPid = options.initialPid;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<void> | undefined;
  let isStopped = false;

  const check = async (): Promise<void> => {
    let status = await options.router.status();
    if (!status.isRunning) {
      options.logger.warn({ pid: knownPid }, 'edge router not answering; starting it');
      await options.router.ensureRunning();
      status = await options.router.status();
    }
    if (status.isRunning && status.pid !== knownPid) {
      options.logger.warn(
        { previousPid: knownPid, pid: status.pid },
        'edge router replaced; re-sending the routing table',
      );
      await options.resync();
      knownPid = status.pid;
    }
  };

  const schedule = (): void => {
    if (isStopped) return;
    timer = setTimeout(() => {
      current = check()
        .catch((error: unknown) => options.logger.warn({ err: error }, 'edge router check failed'))
        .finally(() => {
          current = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref?.();
  };
  schedule();

  return {
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
