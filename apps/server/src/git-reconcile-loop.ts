/**
 * The reconcile loop of deployment rules: every interval (on the clock it is given, so tests drive it by hand), one
 * pass of `reconcileRuleHeads` deploys what lost webhooks missed. A pass never overlaps the next, a failed pass is
 * logged and the loop goes on, and `stop` aborts the pass in flight and waits for it.
 */
import { reconcileRuleHeads, type Clock, type CoreDeps, type Logger, type ReconcileReport } from '@slipway/core';

export interface GitReconcileLoop {
  /** Resolves when the loop has ended (after `stop`). */
  stop(): Promise<void>;
}

export function startGitReconcileLoop(options: {
  deps: CoreDeps;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  /** Called after each pass (tests wait on it). */
  onPass?: (report: ReconcileReport) => void;
  /** The pass; default `reconcileRuleHeads`. */
  reconcile?: (deps: CoreDeps, signal: AbortSignal) => Promise<ReconcileReport>;
}): GitReconcileLoop {
  const { deps, clock, logger, intervalMs } = options;
  const reconcile = options.reconcile ?? reconcileRuleHeads;
  const stopping = new AbortController();
  const loop = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        await clock.sleep(intervalMs, stopping.signal);
      } catch {
        return;
      }
      try {
        const report = await reconcile(deps, stopping.signal);
        if (report.deployed.length > 0 || report.unreachable.length > 0 || report.failed.length > 0) {
          logger.info(
            { deployed: report.deployed.length, unreachable: report.unreachable.length, failed: report.failed.length },
            'git reconcile pass',
          );
        }
        options.onPass?.(report);
      } catch (error) {
        if (!stopping.signal.aborted) logger.error({ err: error }, 'git reconcile pass failed');
      }
    }
  };
  const running = intervalMs > 0 ? loop() : Promise.resolve();
  return {
    async stop() {
      stopping.abort(new Error('slipwayd is stopping'));
      await running;
    },
  };
}
