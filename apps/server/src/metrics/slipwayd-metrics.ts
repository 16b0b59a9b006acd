/**
 * Everything slipwayd measures, in one registry served on `GET /metrics`: its own process, the control plane (the
 * core's `ControlPlaneMetrics`), the API's requests, the store's state, the catalog's registry and the edge's
 * counters (the last three read at scrape time).
 */
import type { Registry } from 'prom-client';
import type { LogDrainShipperHooks, RouterTable, Store } from '@slipway/core';
import { createApiRequestMetrics, type ApiRequestMetrics } from './api-request-metrics.js';
import { createControlPlaneMetrics, type SlipwaydControlPlaneMetrics } from './control-plane-metrics.js';
import { createLogDrainMetrics } from './log-drain-metrics.js';
import { edgeMetricFamilies, readEdgeSnapshot } from './edge-metrics.js';
import { expositionText } from './exposition-text.js';
import { createMetricsRegistry, type MetricsRegistry } from './metrics-registry.js';
import { readStateMetrics, readStoreNames } from './state-metrics.js';

/** How long a scrape waits for the edge's counters before it reports `slipway_edge_up 0` without them. */
export const edgeScrapeTimeoutMs = 2_000;

export interface SlipwaydMetrics {
  readonly registry: MetricsRegistry;
  readonly controlPlane: SlipwaydControlPlaneMetrics;
  readonly api: ApiRequestMetrics;
  /** Counts what the log drains ship and fail to. */
  readonly logDrains: Required<LogDrainShipperHooks>;
}

export interface SlipwaydMetricsOptions {
  readonly store: Store;
  readonly router: Pick<RouterTable, 'metrics'>;
  /** Registries of their own served here too (the catalog's). */
  readonly registries?: readonly Registry[];
  readonly edgeTimeoutMs?: number;
}

export function createSlipwaydMetrics(options: SlipwaydMetricsOptions): SlipwaydMetrics {
  const registry = createMetricsRegistry();
  const controlPlane = createControlPlaneMetrics(registry.registry);
  const api = createApiRequestMetrics(registry.registry);
  const logDrains = createLogDrainMetrics(registry.registry);
  for (const other of options.registries ?? []) registry.addSource(() => other.metrics());
  registry.addSource(async () => {
    const [names, snapshot] = await Promise.all([
      readStoreNames(options.store),
      readEdgeSnapshot(() => options.router.metrics(), options.edgeTimeoutMs ?? edgeScrapeTimeoutMs),
    ]);
    const apps = new Set(names.apps.values());
    await controlPlane.retainApps(apps);
    return expositionText([...(await readStateMetrics(options.store, names)), ...edgeMetricFamilies(snapshot, apps)]);
  });
  return { registry, controlPlane, api, logDrains };
}
