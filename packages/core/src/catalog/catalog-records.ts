/**
 * What the service catalog holds (docs/catalog.md): KV entries and their tombstones, sessions, the one node, service
 * instances and their checks. Every record carries the global write index that created it and the one that last
 * changed it (Consul's `CreateIndex`/`ModifyIndex`); indexes are positive integers below 2^53.
 */

export interface KvEntry {
  key: string;
  /** Null for an empty body (Consul answers `"Value": null`). */
  value: Uint8Array | null;
  /** Opaque to the catalog; a uint64 in Consul, kept below 2^53 here. */
  flags: number;
  createIndex: number;
  modifyIndex: number;
  /** How many times the key was acquired by a session (a new acquisition only). */
  lockIndex: number;
  /** The session holding its lock, if any. */
  session: string | null;
}

/** A deleted key, kept so the index a watcher of that key or prefix sees rises on a delete. */
export interface KvTombstone {
  key: string;
  modifyIndex: number;
  /** When it was deleted (tombstones are reaped after a while; indexes may then go back, which clients allow). */
  deletedAtMs: number;
}

export type SessionBehavior = 'release' | 'delete';

export interface CatalogSession {
  id: string;
  name: string;
  node: string;
  /** Time during which a lock the session held cannot be acquired again after it is invalidated. */
  lockDelayMs: number;
  behavior: SessionBehavior;
  /** Null: no TTL. A TTL session is invalidated when not renewed within it (Consul allows up to twice the TTL). */
  ttlMs: number | null;
  nodeChecks: string[];
  serviceChecks: string[];
  createIndex: number;
  modifyIndex: number;
  /** When a TTL session lapses unless renewed; null without a TTL. */
  expiresAtMs: number | null;
}

export interface CatalogNode {
  /** The node name (slipwayd's `--node-name`). */
  name: string;
  /** A UUID, stable across restarts. */
  id: string;
  address: string;
  datacenter: string;
  meta: Record<string, string>;
  /** Consul's node `TaggedAddresses`: names to addresses (`lan`, `wan`, …). */
  taggedAddresses: Record<string, string>;
  createIndex: number;
  modifyIndex: number;
}

/** Who registered a service instance: the agent API (`PUT /v1/agent/service/register`), or Slipway for an instance it runs. */
export type ServiceSource = { kind: 'agent' } | { kind: 'slipway'; instanceId: string; appId: string };

export interface ServiceRecord {
  id: string;
  name: string;
  tags: string[];
  /** Empty: the node's address. */
  address: string;
  port: number;
  meta: Record<string, string>;
  taggedAddresses: Record<string, { address: string; port: number }>;
  weights: { passing: number; warning: number };
  enableTagOverride: boolean;
  source: ServiceSource;
  createIndex: number;
  modifyIndex: number;
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** How a check's status is found: probed on an interval, pushed (TTL), or held by the catalog itself. */
export type CheckDefinition =
  | { type: 'ttl'; ttlMs: number }
  | {
      type: 'http';
      url: string;
      method: string;
      header: Record<string, string[]>;
      body: string;
      tlsSkipVerify: boolean;
      intervalMs: number;
      timeoutMs: number;
    }
  | { type: 'tcp'; address: string; intervalMs: number; timeoutMs: number }
  /** `grpc.health.v1.Health/Check`; `target` is `host:port[/service]`. */
  | { type: 'grpc'; target: string; useTls: boolean; tlsSkipVerify: boolean; intervalMs: number; timeoutMs: number }
  | { type: 'script'; args: string[]; intervalMs: number; timeoutMs: number }
  /** Mirrors the health Slipway's own monitor finds for one of its instances. */
  | { type: 'slipway'; instanceId: string }
  /** `_node_maintenance` / `_service_maintenance:<id>`: critical while maintenance is on. */
  | { type: 'maintenance' }
  /** The synthesized `serfHealth` node check: passing while slipwayd runs. */
  | { type: 'serf' };

export interface CheckRecord {
  checkId: string;
  name: string;
  status: CheckStatus;
  notes: string;
  /** The last probe's output (bounded: 4 KiB). */
  output: string;
  /** Empty for a node-level check. */
  serviceId: string;
  serviceName: string;
  serviceTags: string[];
  definition: CheckDefinition;
  createIndex: number;
  modifyIndex: number;
  /** A TTL check goes critical (`TTL expired`) at this time unless updated; null otherwise. */
  ttlExpiresAtMs: number | null;
}

/** A service instance as health and DNS see it: its node, itself, and its checks (node-level ones first). */
export interface ServiceInstanceView {
  node: CatalogNode;
  service: ServiceRecord;
  checks: CheckRecord[];
}

/** Everything the catalog holds, at one index: what the store loads, what a snapshot saves and restores. */
export interface CatalogSnapshot {
  index: number;
  node: CatalogNode;
  kv: KvEntry[];
  tombstones: KvTombstone[];
  sessions: CatalogSession[];
  services: ServiceRecord[];
  checks: CheckRecord[];
}
