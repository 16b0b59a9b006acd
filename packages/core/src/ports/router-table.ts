/** The edge port: the table of routes and upstreams the edge router serves (wire shape in the contract). */
import type { EdgeMetrics, RouterStatus, RoutingTable, WakeRequest } from '@slipway/contract';

export type { EdgeMetrics, RouteEntry, RouterStatus, RoutingTable, Upstream, WakeRequest } from '@slipway/contract';

export interface RouterTable {
  /** Replaces the whole table atomically; idempotent. Errors: `UNAVAILABLE` when the router cannot be reached. */
  apply(table: RoutingTable): Promise<void>;
  status(): Promise<RouterStatus>;
  /**
   * Requests in flight to these upstream instances, by instance id, including upstreams already removed from the
   * table (they drain: no new requests, in-flight ones finish). 0 for an id the router does not know. Read-only.
   * Errors: `UNAVAILABLE` when the router cannot be reached.
   */
  inFlight(instanceIds: readonly string[]): Promise<Record<string, number>>;
  /**
   * The router's traffic counters per route and per release, cumulative since the router started (a restarted
   * router starts from 0: readers compare two reads and treat a decrease as a reset). Read-only.
   * Errors: `UNAVAILABLE` when the router cannot be reached.
   */
  metrics(): Promise<EdgeMetrics>;
  /**
   * The process types whose requests the router holds for an instance (scale to zero) since the previous call: at
   * once when there are some, else the first within `waitMs` (a long poll: [] when none came; at most 60 s). Taken
   * once: a second caller does not see them again. Errors: `UNAVAILABLE` when the router cannot be reached;
   * rejects when `signal` aborts.
   */
  awaitWakes(waitMs: number, signal?: AbortSignal): Promise<WakeRequest[]>;
}
