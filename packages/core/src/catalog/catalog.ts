/**
 * The service catalog's engine (docs/catalog.md): the whole catalog in memory, written through to the store before a
 * write is acknowledged, with one global monotonic write index and blocking-query waits that wake only the waiters
 * whose result could have changed. The HTTP API, DNS, the check runners, the registration of Slipway's instances and
 * snapshots all go through it. Reads are synchronous (memory); writes are serialized and durable when they resolve.
 *
 * Semantics are Consul's (the reference this follows is summarized in docs/catalog.md): CAS, tombstones, lock-delay,
 * session invalidation, check status rules, `serfHealth`, the `consul` service.
 */
import type {
  CatalogNode,
  CatalogSnapshot,
  CheckDefinition,
  CheckRecord,
  CheckStatus,
  KvEntry,
  ServiceInstanceView,
  ServiceRecord,
  SessionBehavior,
  CatalogSession,
} from './catalog-records.js';

/** The KV value limit (Consul's `kv_max_value_size`). */
export const kvMaxValueBytes = 512 * 1024;
/** Most operations one transaction may hold (Consul's `txn_max_req_len` allows 64). */
export const txnMaxOperations = 64;

/** A read's answer with the index a blocking query on it compares with (never 0). */
export interface Indexed<T> {
  value: T;
  index: number;
}

/**
 * What a blocking query watches. A write wakes the waiters of the topics it touches: a KV write of `a/b` wakes
 * `key a/b` and every `prefix` of it; a service or check write wakes `service <name>`, `services`, `checks`,
 * `node <name>`; a session write wakes `sessions`.
 */
export type WatchTopic =
  | { kind: 'key'; key: string }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'services' }
  | { kind: 'service'; name: string }
  | { kind: 'nodes' }
  | { kind: 'node'; name: string }
  | { kind: 'checks' }
  | { kind: 'sessions' };

export interface KvPutRequest {
  key: string;
  value: Uint8Array | null;
  flags?: number;
  /** 0: only if absent; N: only if it exists with ModifyIndex N. */
  cas?: number;
  /** Acquire the key's lock for this session (fails while another holds it or during a lock-delay). */
  acquire?: string;
  /** Release the key's lock held by this session. */
  release?: string;
}

export interface KvDeleteRequest {
  key: string;
  /** Delete every key under `key` as a prefix (empty: everything). */
  isRecursive?: boolean;
  /** Delete only if ModifyIndex equals it (0 never deletes an existing key; a missing key answers true). */
  cas?: number;
}

/** One operation of a transaction: Consul's KV verbs. */
export type TxnKvOp =
  | { verb: 'set'; key: string; value: Uint8Array | null; flags?: number }
  | { verb: 'cas'; key: string; value: Uint8Array | null; flags?: number; index: number }
  | { verb: 'lock'; key: string; value: Uint8Array | null; flags?: number; session: string }
  | { verb: 'unlock'; key: string; value: Uint8Array | null; flags?: number; session: string }
  | { verb: 'get'; key: string }
  | { verb: 'get-tree'; key: string }
  | { verb: 'check-index'; key: string; index: number }
  | { verb: 'check-session'; key: string; session: string }
  | { verb: 'check-not-exists'; key: string }
  | { verb: 'delete'; key: string }
  | { verb: 'delete-tree'; key: string }
  | { verb: 'delete-cas'; key: string; index: number };

/** Consul's `{Results, Errors}`: results (entries, values left out for writes) when all succeed, else the errors. */
export type TxnResult =
  { ok: true; results: KvEntry[]; index: number } | { ok: false; errors: { opIndex: number; what: string }[] };

export interface SessionCreateRequest {
  name?: string;
  node?: string;
  lockDelayMs?: number;
  behavior?: SessionBehavior;
  ttlMs?: number;
  nodeChecks?: string[];
  serviceChecks?: string[];
}

export interface ServiceRegistration {
  id: string;
  name: string;
  tags: string[];
  address: string;
  port: number;
  meta: Record<string, string>;
  taggedAddresses: Record<string, { address: string; port: number }>;
  weights: { passing: number; warning: number };
  enableTagOverride: boolean;
  source: ServiceRecord['source'];
  /** Its checks, with their ids and names already defaulted (`service:<id>[:n]`, `Service '<name>' check`). */
  checks: CheckRegistration[];
}

export interface CheckRegistration {
  checkId: string;
  name: string;
  /** Empty: a node-level check. */
  serviceId: string;
  notes: string;
  /** Initial status (Consul: critical unless given). */
  status: CheckStatus;
  output?: string;
  definition: CheckDefinition;
}

export interface Catalog {
  readonly datacenter: string;
  readonly node: CatalogNode;
  /** The global write index (≥ 1). */
  index(): number;

  kvGet(key: string): Indexed<KvEntry | undefined>;
  /** Entries under a prefix, sorted by key. */
  kvList(prefix: string): Indexed<KvEntry[]>;
  /** Keys under a prefix, cut after the first `separator` past the prefix and deduplicated when one is given. */
  kvKeys(prefix: string, separator?: string): Indexed<string[]>;
  kvPut(request: KvPutRequest): Promise<Indexed<boolean>>;
  kvDelete(request: KvDeleteRequest): Promise<Indexed<boolean>>;
  /** All or nothing; at most `txnMaxOperations`. */
  txn(ops: readonly TxnKvOp[]): Promise<TxnResult>;

  sessionCreate(request: SessionCreateRequest): Promise<CatalogSession>;
  /** Invalidates it: its locks are released (or its keys deleted), then the lock-delay applies. */
  sessionDestroy(id: string): Promise<boolean>;
  /** Undefined for an unknown (or lapsed) session. */
  sessionRenew(id: string): Promise<CatalogSession | undefined>;
  sessionGet(id: string): Indexed<CatalogSession | undefined>;
  sessionList(node?: string): Indexed<CatalogSession[]>;

  /** Registers (or replaces) a service instance and its checks; `replaceExistingChecks` drops checks it no longer has. */
  registerService(registration: ServiceRegistration, options?: { replaceExistingChecks?: boolean }): Promise<void>;
  /** False for an unknown id. Its checks go with it. */
  deregisterService(id: string): Promise<boolean>;
  registerCheck(registration: CheckRegistration): Promise<void>;
  deregisterCheck(checkId: string): Promise<boolean>;
  /**
   * Sets a check's status and output (a TTL check's timer restarts). A write that changes neither does not raise the
   * index (and wakes nobody); one that changes only the output may be batched. Undefined for an unknown check.
   */
  updateCheck(checkId: string, status: CheckStatus, output: string): Promise<CheckRecord | undefined>;
  setNodeMaintenance(isEnabled: boolean, reason: string): Promise<void>;
  /** False for an unknown service id. */
  setServiceMaintenance(serviceId: string, isEnabled: boolean, reason: string): Promise<boolean>;

  services(): Indexed<ServiceRecord[]>;
  /** Instances of a service with their node and checks, ordered by node then service id; `tags`: all must match. */
  serviceInstances(name: string, tags?: readonly string[]): Indexed<ServiceInstanceView[]>;
  service(id: string): ServiceRecord | undefined;
  /** Every check (node-level included), sorted by check id. */
  checks(): Indexed<CheckRecord[]>;
  check(checkId: string): CheckRecord | undefined;

  /**
   * Resolves once a write that touches `topic` (or any of `topics`) has raised the index past `afterIndex` (at once
   * if it already has), or when `signal` aborts (no rejection: the caller answers with what it reads then). One call
   * for several topics costs one abort listener, where a race of calls would cost one each.
   */
  waitFor(topic: WatchTopic | readonly WatchTopic[], afterIndex: number, signal: AbortSignal): Promise<void>;
  /** Waiters currently blocked (a gauge). */
  waiterCount(): number;

  /** Everything at one index (for `catalog snapshot save`). */
  snapshot(): CatalogSnapshot;
  /** Replaces everything atomically; the index never goes back (the restored one if higher, else one past the current). */
  restore(snapshot: CatalogSnapshot): Promise<void>;
  /** Stops its timers (TTL expiry, session expiry, tombstone reaping) and wakes every waiter. */
  close(): Promise<void>;
}
