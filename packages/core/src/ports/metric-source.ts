/** The metric port of analyses: one measurement of an external provider (an HTTP URL, a Prometheus query). */
import type { HttpMetricProvider, PrometheusMetricProvider } from '@slipway/contract';

export type { HttpMetricProvider, PrometheusMetricProvider } from '@slipway/contract';

/** The providers answered outside Slipway; `router` metrics read the router's own counters instead. */
export type ExternalMetricProvider = HttpMetricProvider | PrometheusMetricProvider;

/** What fills a provider's `{{app}}`, `{{environment}}`, `{{release}}` and `{{stableRelease}}` placeholders. */
export interface MetricQueryVars {
  /** App and environment names, as routes and the router's counters name them. */
  app: string;
  environment: string;
  /** The release analysed (the canary) and the one serving before it (empty in a query when null). */
  release: number;
  stableRelease: number | null;
}

export interface MetricSource {
  /**
   * Takes one measurement: the number the provider answers, or null when it has no data (an empty Prometheus vector,
   * NaN, a JSON null, an empty body). Bounded: it gives up after the provider's `timeoutSeconds` or when `signal`
   * aborts, and reads a bounded body. Read-only and idempotent on Slipway's side.
   * Errors: `METRIC_PROVIDER_TIMEOUT` past the deadline; `METRIC_PROVIDER_FAILED` when the provider cannot be reached,
   * answers a non-2xx status, too large a body or one it cannot read. Messages never carry the URL's query or the body.
   */
  measure(provider: ExternalMetricProvider, vars: MetricQueryVars, signal: AbortSignal): Promise<number | null>;
}
