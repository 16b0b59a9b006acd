/** What the catalog API's route groups are given: the engine, the listener's identity, and the metrics' hooks. */
import type { Catalog } from '@slipway/core';
import type { FastifyBaseLogger } from 'fastify';

/** Counters the API feeds (the metrics module implements them; tests may leave them out). */
export interface CatalogHttpMetrics {
  /** A KV operation answered: `get`, `list`, `keys`, `put`, `cas`, `delete`, `txn`, `acquire`, `release`. */
  kvOperation(operation: string): void;
  /** A catalog, health, agent or session operation answered, by area (`catalog`, `health`, `agent`, `session`). */
  catalogOperation(area: string): void;
  /** +1 when a blocking query starts waiting, -1 when it stops. */
  blockingWaiters(delta: 1 | -1): void;
  /** The Prometheus exposition of every metric (`GET /v1/agent/metrics?format=prometheus`). */
  exposition(): Promise<{ contentType: string; text: string }>;
}

export interface CatalogHttpEnv {
  readonly catalog: Catalog;
  readonly datacenter: string;
  /** The address `status/leader` and `status/peers` answer (`<host>:8300`, as Consul's server RPC port). */
  readonly serverAddress: string;
  readonly version: string;
  readonly isScriptChecksEnabled: boolean;
  readonly logger: FastifyBaseLogger;
  readonly metrics?: CatalogHttpMetrics;
}
