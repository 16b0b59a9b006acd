/**
 * The catalog's metrics (prom-client, a registry of their own): KV and catalog operations answered, blocking
 * queries waiting, DNS queries by type and answer code, and the catalog's write index. Served by the catalog API at
 * `GET /v1/agent/metrics?format=prometheus`.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Catalog } from '@slipway/core';
import type { CatalogHttpMetrics } from './catalog-http/catalog-http-env.js';

export interface CatalogMetrics extends CatalogHttpMetrics {
  /** One DNS query answered: its transport, what it asked for (`service`, `node`, …) and its answer code. */
  dnsQuery(event: { transport: string; kind: string; rcode: string }): void;
  readonly registry: Registry;
}

export function createCatalogMetrics(catalog: Catalog): CatalogMetrics {
  const registry = new Registry();
  const kvOperations = new Counter({
    name: 'slipway_catalog_kv_operations_total',
    help: 'KV operations answered by the catalog API, by operation',
    labelNames: ['operation'],
    registers: [registry],
  });
  const catalogOperations = new Counter({
    name: 'slipway_catalog_operations_total',
    help: 'Catalog, health, agent, session and snapshot operations answered by the catalog API, by area',
    labelNames: ['area'],
    registers: [registry],
  });
  const blockingQueries = new Gauge({
    name: 'slipway_catalog_blocking_queries',
    help: 'Blocking queries of the catalog API waiting for a change',
    registers: [registry],
  });
  new Gauge({
    name: 'slipway_catalog_waiters',
    help: "Waiters blocked in the catalog engine (blocking queries and the CLI's watches)",
    registers: [registry],
    collect() {
      this.set(catalog.waiterCount());
    },
  });
  new Gauge({
    name: 'slipway_catalog_index',
    help: "The catalog's global write index",
    registers: [registry],
    collect() {
      this.set(catalog.index());
    },
  });
  const dnsQueries = new Counter({
    name: 'slipway_catalog_dns_queries_total',
    help: 'DNS queries answered, by transport, kind of name and answer code',
    labelNames: ['transport', 'kind', 'rcode'],
    registers: [registry],
  });
  return {
    registry,
    kvOperation: (operation) => kvOperations.inc({ operation }),
    catalogOperation: (area) => catalogOperations.inc({ area }),
    blockingWaiters: (delta) => (delta > 0 ? blockingQueries.inc() : blockingQueries.dec()),
    dnsQuery: ({ transport, kind, rcode }) => dnsQueries.inc({ transport, kind, rcode }),
    async exposition() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
