/** The `MetricSource` port over HTTP: each provider type measured by its own adapter. */
import type { MetricSource } from '@slipway/core';
import { measureHttpMetric } from './http-metric-source.js';
import { measurePrometheusMetric } from './prometheus-metric-source.js';

/** Measures `http` and `prometheus` metrics; stateless (no connection kept but fetch's own pool). */
export function createMetricSource(): MetricSource {
  return {
    async measure(provider, vars, signal) {
      switch (provider.type) {
        case 'http':
          return measureHttpMetric(provider, vars, signal);
        case 'prometheus':
          return measurePrometheusMetric(provider, vars, signal);
      }
    },
  };
}
