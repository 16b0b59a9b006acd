/** The edge port: the table of routes and upstreams the edge router serves (wire shape in the contract). */
import type { RouterStatus, RoutingTable } from '@slipway/contract';

export type { RouteEntry, RouterStatus, RoutingTable, Upstream } from '@slipway/contract';

export interface RouterTable {
  /** Replaces the whole table atomically; idempotent. Errors: `UNAVAILABLE` when the router cannot be reached. */
  apply(table: RoutingTable): Promise<void>;
  status(): Promise<RouterStatus>;
}
