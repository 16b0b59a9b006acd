/** slipwayd's options for the metrics history (docs/metrics.md): how often it samples, how long and how much it keeps. */
import { z } from 'zod';
import { defaultMetricsHistorySettings } from '@slipway/core';
import { numberOf, option } from './config-option.js';

export const metricsHistoryOptions = {
  /** Between two samples of every release's traffic and every instance's CPU and memory. */
  metricsSampleIntervalMs: option({
    schema: z.number().int().min(100).max(600_000),
    default: defaultMetricsHistorySettings.intervalMs,
    inputs: [
      {
        flag: 'metrics-sample-interval-ms',
        env: 'SLIPWAY_METRICS_SAMPLE_INTERVAL_MS',
        argument: 'MS',
        help: 'between two samples of the metrics history (default 15000)',
      },
    ],
    read: numberOf('metrics-sample-interval-ms'),
  }),
  /** Samples older than this are deleted. */
  metricsRetentionMs: option({
    schema: z
      .number()
      .int()
      .min(60_000)
      .max(366 * 86_400_000),
    default: defaultMetricsHistorySettings.retentionMs,
    inputs: [
      {
        flag: 'metrics-retention-ms',
        env: 'SLIPWAY_METRICS_RETENTION_MS',
        argument: 'MS',
        help: 'how long the metrics history is kept (default 604800000: 7 days)',
      },
    ],
    read: numberOf('metrics-retention-ms'),
  }),
  /** Samples of each kind (traffic, instance usage) an app keeps at most, its newest. */
  metricsMaxRowsPerApp: option({
    schema: z.number().int().min(100).max(10_000_000),
    default: defaultMetricsHistorySettings.maxRowsPerApp,
    inputs: [
      {
        flag: 'metrics-max-rows-per-app',
        env: 'SLIPWAY_METRICS_MAX_ROWS_PER_APP',
        argument: 'ROWS',
        help: "samples of each kind an app's metrics history keeps at most (default 500000)",
      },
    ],
    read: numberOf('metrics-max-rows-per-app'),
  }),
};
