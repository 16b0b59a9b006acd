/** The metrics history part of the typed API client. */
import type { ApiTransport } from './api-transport.js';
import { metricSeriesSchema, type MetricSeries } from './metrics-history-api.js';

export interface MetricsHistoryClient {
  metrics: {
    /** GET /api/v1/apps/:app/metrics/series — sampled traffic and instance usage, aligned, with release markers. */
    series(
      app: string,
      options?: {
        environment?: string | undefined;
        since?: string | undefined;
        until?: string | undefined;
        step?: string | undefined;
      },
    ): Promise<MetricSeries>;
  };
}

export function createMetricsHistoryClient({ call }: Pick<ApiTransport, 'call'>): MetricsHistoryClient {
  return {
    metrics: {
      series: (app, o) =>
        call(
          {
            method: 'GET',
            path: `/api/v1/apps/${encodeURIComponent(app)}/metrics/series`,
            query: { environment: o?.environment, since: o?.since, until: o?.until, step: o?.step },
          },
          metricSeriesSchema,
        ),
    },
  };
}
