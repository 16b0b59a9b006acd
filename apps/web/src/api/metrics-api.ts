/** The app page's metrics history call (`GET /api/v1/apps/:app/metrics/series`), typed with the contract's answer. */
import type { MetricSeries } from '@slipway/contract';
import { appPath, callJson } from './web-api.js';

/** The windows the Metrics tab offers, as the API's `since` durations. */
export const metricRanges = ['1h', '6h', '24h', '7d'] as const;
export type MetricRange = (typeof metricRanges)[number];

export const metricsApi = {
  series: (app: string, since: MetricRange, environment = 'production') =>
    callJson<MetricSeries>(
      'GET',
      appPath(app, `/metrics/series?environment=${encodeURIComponent(environment)}&since=${since}`),
    ),
};
