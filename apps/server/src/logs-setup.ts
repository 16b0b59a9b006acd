/**
 * The persisted log's part of slipwayd (docs/logs.md): the writer every line goes through (created before the core's
 * dependencies, which carry it), then, once the fleet runs, the collector of instances' output, the retention pass
 * (at start and every `retentionIntervalMs`) and the log drains' dispatcher; all stopped and awaited on shutdown.
 */
import { createLogDrainSender } from '@slipway/adapters';
import {
  createLogDrainShipper,
  createLogWriter,
  pruneLogs,
  startLogCollector,
  type CoreDeps,
  type LogDrainShipperHooks,
  type LogSettings,
  type Logger,
} from '@slipway/core';
import type { ResolvedConfig } from './config.js';

export interface LogServices {
  readonly services: NonNullable<CoreDeps['logs']>;
  /** Starts collecting, pruning and draining; returns what stops them. */
  start(deps: CoreDeps): { stop(): Promise<void> };
}

/** How often the drains are looked at for new lines (and the longest a stored line waits to be shipped). */
const drainPollIntervalMs = 1_000;

export function createLogServices(
  options: {
    store: CoreDeps['store'];
    clock: CoreDeps['clock'];
    logger: Logger;
    /** Counts what the drains ship and fail to. */
    drainHooks?: LogDrainShipperHooks;
  },
  config: Pick<ResolvedConfig, 'logs' | 'nodeName'>,
): LogServices {
  const logger = options.logger.child({ component: 'logs' });
  const settings: LogSettings = {
    retentionMs: config.logs.retentionMs,
    maxBytesPerApp: config.logs.maxBytesPerApp,
    maxQueuedLinesPerApp: config.logs.maxQueuedLinesPerApp,
    linesPerTransaction: 500,
    retentionIntervalMs: config.logs.retentionIntervalMs,
    backlogLines: config.logs.backlogLines,
    discoveryIntervalMs: 1_000,
  };
  const writer = createLogWriter({ store: options.store, clock: options.clock, logger, settings });
  return {
    services: { writer, settings },
    start(deps) {
      const collector = startLogCollector({ ...deps, logger, writer, settings });
      const shipper = createLogDrainShipper(
        { ...deps, logger: logger.child({ component: 'log-drains' }) },
        createLogDrainSender({ hostname: config.nodeName }),
        {
          batchLines: config.logs.drainBatchLines,
          timeoutMs: config.logs.drainTimeoutMs,
          retryBaseMs: config.logs.drainRetryBaseMs,
          retryMaxMs: config.logs.drainRetryMaxMs,
          pollIntervalMs: drainPollIntervalMs,
        },
        options.drainHooks,
      );
      shipper.start();
      let pruning: Promise<unknown> = Promise.resolve();
      const prune = (): void => {
        pruning = pruneLogs(deps, settings)
          .then((result) => {
            if (result.expired + result.overBudget > 0) logger.debug({ ...result }, 'log lines pruned');
          })
          .catch((error: unknown) => logger.warn({ err: error }, 'log pruning failed'));
      };
      prune();
      const timer = setInterval(prune, settings.retentionIntervalMs);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await collector.close();
          await pruning;
          await writer.flush();
          await shipper.stop();
        },
      };
    },
  };
}
