/** The metrics history of an app environment: sampled traffic and instance usage as aligned series, with release markers. */
import { appParamsSchema, durationMs, logTimeMs, metricSeriesQuerySchema, metricSeriesSchema } from '@slipway/contract';
import { getMetricSeries } from '@slipway/core';
import { metricsHistorySettings } from '../../metrics-history-setup.js';
import { onApp } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const metricsHistoryRoutes: RouteGroup<RouteContext> = {
  name: 'metrics-history-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/metrics/series',
      summary:
        "An app environment's request rate, 5xx share, latency percentiles and in-flight requests per release, and its instances' CPU and memory, as series on one time axis with a marker per release that went live",
      permission: { action: 'metrics-history.read', access: onApp('viewer') },
      schema: { params: appParamsSchema, querystring: metricSeriesQuerySchema, response: { 200: metricSeriesSchema } },
      handler: async ({ params, query }, _reply, { deps, config }) => {
        const nowMs = deps.clock.nowMs();
        const settings = metricsHistorySettings(config);
        // The schema let only well-formed times and steps through.
        return getMetricSeries(
          deps,
          {
            app: params.app,
            environment: query.environment,
            sinceMs: logTimeMs(query.since, nowMs) ?? nowMs,
            untilMs: query.until === undefined ? nowMs : (logTimeMs(query.until, nowMs) ?? nowMs),
            stepMs: query.step === undefined ? undefined : durationMs(query.step),
          },
          { sampleIntervalMs: settings.intervalMs, maxRowsPerApp: settings.maxRowsPerApp },
        );
      },
    }),
  ],
};
