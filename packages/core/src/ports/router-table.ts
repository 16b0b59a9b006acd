/** The edge port: the table of routes and upstreams the edge router serves. */

export interface Upstream {
  instanceId: string;
  host: string;
  port: number;
  releaseNumber: number;
  /** Relative share of new requests; 0 takes none. */
  weight: number;
}

export interface RouteEntry {
  /** Lowercase hostname, or `*.domain` for a wildcard. */
  host: string;
  /** Path prefix, `/` for all. The longest matching prefix wins. */
  pathPrefix: string;
  app: string;
  environment: string;
  process: string;
  timeoutMs: number | null;
  /** Only healthy instances; empty means the route answers 503. */
  upstreams: Upstream[];
}

export interface RoutingTable {
  routes: RouteEntry[];
}

export interface RouterStatus {
  isRunning: boolean;
  pid: number | null;
  /** `host:port` the router listens on for traffic. */
  address: string;
  routes: number;
}

export interface RouterTable {
  /** Replaces the whole table atomically; idempotent. Errors: `UNAVAILABLE` when the router cannot be reached. */
  apply(table: RoutingTable): Promise<void>;
  status(): Promise<RouterStatus>;
}
