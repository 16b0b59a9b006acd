/**
 * slipwayd's Prometheus registry: every metric slipwayd exposes on `GET /metrics` is registered here (or is a text
 * source added with `addSource`, for numbers read from elsewhere at scrape time, like the edge's counters).
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface MetricsExposition {
  readonly contentType: string;
  readonly text: string;
}

export interface MetricsRegistry {
  /** Register metrics with `registers: [metrics.registry]`. */
  readonly registry: Registry;
  /** Adds text in the Prometheus exposition format read at each scrape (another registry, the edge's counters). */
  addSource(source: () => Promise<string>): void;
  /** Every registered metric and every source, as one exposition. */
  exposition(): Promise<MetricsExposition>;
}

export function createMetricsRegistry(): MetricsRegistry {
  const registry = new Registry();
  // The process's own numbers (CPU, memory, event loop lag, handles), as every Node exporter has them.
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which `promtool check metrics` rejects; `nodejs_active_handles` and the others say the
  // same without the suffix.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  const sources: (() => Promise<string>)[] = [];
  return {
    registry,
    addSource(source) {
      sources.push(source);
    },
    async exposition() {
      // Sources first: reading them may drop the registry's series of apps that are gone.
      const read = await Promise.all(sources.map((source) => source()));
      const parts = [await registry.metrics(), ...read];
      const text = parts
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .join('\n');
      return { contentType: registry.contentType, text: `${text}\n` };
    },
  };
}
