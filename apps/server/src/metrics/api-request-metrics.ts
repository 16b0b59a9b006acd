/** The API's request metrics: one histogram of durations by method, route template and status code. */
import { Histogram, type Registry } from 'prom-client';
import { methodLabelOf } from './http-method-label.js';

/** The OpenTelemetry-advised boundaries of `http.server.request.duration` (seconds). */
export const httpDurationBucketsSeconds: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

export interface ApiRequestMetrics {
  /**
   * One answered request. `route` is the route template (`/api/v1/apps/:app`), undefined when no route matched (it
   * is then labelled `_other`, so unknown paths add no series).
   */
  observe(request: { method: string; route: string | undefined; statusCode: number; durationMs: number }): void;
}

export function createApiRequestMetrics(registry: Registry): ApiRequestMetrics {
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: "Duration of the API's requests, by method, route template and status code",
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
    buckets: [...httpDurationBucketsSeconds],
    registers: [registry],
  });
  return {
    observe({ method, route, statusCode, durationMs }) {
      duration.observe(
        {
          http_request_method: methodLabelOf(method),
          http_route: route ?? '_other',
          http_response_status_code: String(statusCode),
        },
        Math.max(0, durationMs) / 1_000,
      );
    },
  };
}
