/**
 * Alerts' part of the composition root: the condition source of each rule kind slipwayd can observe (the store, the
 * edge's counters, the data dir's filesystem, the custom domains' certificates), and the
 * evaluation loop, whose firing and resolve messages go out through the notification outbox's dispatcher.
 */
import { createStatfsDiskUsage } from '@slipway/adapters';
import {
  createAlertEvaluator,
  createCertificateConditionSource,
  createCrashLoopConditionSource,
  createDeploymentFailedConditionSource,
  createDiskConditionSource,
  createEdgeConditionSource,
  listCertificateExpiries,
  type AlertConditionSources,
  type CoreDeps,
  type Logger,
} from '@slipway/core';
import type { ResolvedConfig } from './config.js';

/** The core's alert dependencies: one condition source per kind slipwayd can observe. */
export function alertCoreDeps(config: ResolvedConfig): Pick<CoreDeps, 'alertSources'> {
  const sources: AlertConditionSources = {
    'crash-loop': createCrashLoopConditionSource(),
    'deployment-failed': createDeploymentFailedConditionSource(),
    'error-rate': createEdgeConditionSource('error-rate'),
    'latency-p95': createEdgeConditionSource('latency-p95'),
    'latency-p99': createEdgeConditionSource('latency-p99'),
    'disk-usage': createDiskConditionSource(createStatfsDiskUsage({ dir: config.dataDir })),
    // The custom domains' certificates (`slipway domains`), as their manager stores them.
    'certificate-expiry': createCertificateConditionSource(listCertificateExpiries),
  };
  return { alertSources: sources };
}

export interface AlertLoop {
  stop(): Promise<void>;
}

/** Starts evaluating; `onQueued` is told when a transition stored deliveries (the dispatcher sends them at once). */
export function startAlerts(options: {
  deps: CoreDeps;
  config: ResolvedConfig;
  logger: Logger;
  onQueued: () => void;
}): AlertLoop {
  const { deps, config } = options;
  const evaluator = createAlertEvaluator(
    { ...deps, logger: options.logger },
    deps.alertSources ?? {},
    { intervalMs: config.alertEvaluationIntervalMs, historyMs: config.alertHistoryDays * 86_400_000 },
    { onQueued: options.onQueued },
  );
  evaluator.start();
  return { stop: () => evaluator.stop() };
}
