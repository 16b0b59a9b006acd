/** Starts the metrics history's sampler (docs/metrics.md) with slipwayd's settings; the caller stops it on shutdown. */
import { createMetricSampler, type CoreDeps, type MetricSampler, type MetricsHistorySettings } from '@slipway/core';
import type { ResolvedConfig } from './config.js';

export function metricsHistorySettings(config: ResolvedConfig): MetricsHistorySettings {
  return {
    intervalMs: config.metricsSampleIntervalMs,
    retentionMs: config.metricsRetentionMs,
    maxRowsPerApp: config.metricsMaxRowsPerApp,
  };
}

export function startMetricSampler(deps: CoreDeps, config: ResolvedConfig): MetricSampler {
  const sampler = createMetricSampler(
    { ...deps, logger: deps.logger.child({ component: 'metrics-history' }) },
    metricsHistorySettings(config),
  );
  sampler.start();
  return sampler;
}
