/**
 * The committed catalog in memory: its tables, the index of each table and topic, and the reads over them. It changes
 * only through `apply`, after the store has the commit, so a read never sees a write that could still fail.
 */
import type {
  CatalogNode,
  CatalogSession,
  CatalogSnapshot,
  CheckRecord,
  KvEntry,
  KvTombstone,
  ServiceRecord,
} from './catalog-records.js';
import type { CatalogDraft } from './catalog-draft.js';
import { SortedKeys } from './sorted-keys.js';
import { topicKeys, type TopicKey } from './catalog-topics.js';

export class CatalogState {
  index: number;
  node: CatalogNode;
  readonly kv = new Map<string, KvEntry>();
  readonly kvKeys = new SortedKeys();
  readonly tombstones = new Map<string, KvTombstone>();
  readonly tombstoneKeys = new SortedKeys();
  readonly sessions = new Map<string, CatalogSession>();
  readonly services = new Map<string, ServiceRecord>();
  readonly checks = new Map<string, CheckRecord>();
  /** The last index that changed each topic (tables and services by lowercased name). */
  private readonly topicIndexes = new Map<TopicKey, number>();
  /** The last index of any KV change (entries and tombstones). */
  kvIndex = 0;

  constructor(snapshot: CatalogSnapshot) {
    this.index = snapshot.index;
    this.node = snapshot.node;
    this.load(snapshot);
  }

  /** Replaces every table with the snapshot's rows (at start and on restore). */
  load(snapshot: CatalogSnapshot): void {
    this.index = snapshot.index;
    this.node = snapshot.node;
    this.kv.clear();
    this.kvKeys.clear();
    this.tombstones.clear();
    this.tombstoneKeys.clear();
    this.sessions.clear();
    this.services.clear();
    this.checks.clear();
    this.topicIndexes.clear();
    this.kvIndex = 0;
    for (const entry of snapshot.kv) {
      this.kv.set(entry.key, entry);
      this.kvKeys.add(entry.key);
      this.kvIndex = Math.max(this.kvIndex, entry.modifyIndex);
    }
    for (const tombstone of snapshot.tombstones) {
      this.tombstones.set(tombstone.key, tombstone);
      this.tombstoneKeys.add(tombstone.key);
      this.kvIndex = Math.max(this.kvIndex, tombstone.modifyIndex);
    }
    for (const session of snapshot.sessions) this.raise(topicKeys.sessions, this.putSession(session).modifyIndex);
    for (const service of snapshot.services) {
      this.services.set(service.id, service);
      this.raise(topicKeys.services, service.modifyIndex);
      this.raise(topicKeys.service(service.name), service.modifyIndex);
    }
    for (const check of snapshot.checks) {
      this.checks.set(check.checkId, check);
      this.raise(topicKeys.checks, check.modifyIndex);
      if (check.serviceId === '') this.raise(topicKeys.nodeChecks, check.modifyIndex);
      else this.raise(topicKeys.service(check.serviceName), check.modifyIndex);
    }
    this.raise(topicKeys.nodes, snapshot.node.modifyIndex);
  }

  /** Makes a draft's rows the committed ones and raises the indexes of what it touched. */
  apply(draft: CatalogDraft): void {
    if (draft.changedNode) this.node = draft.changedNode;
    for (const [key, entry] of draft.kv.changed) {
      if (entry === null) {
        this.kv.delete(key);
        this.kvKeys.remove(key);
      } else {
        if (!this.kv.has(key)) this.kvKeys.add(key);
        this.kv.set(key, entry);
      }
    }
    for (const [key, tombstone] of draft.tombstones.changed) {
      if (tombstone === null) {
        this.tombstones.delete(key);
        this.tombstoneKeys.remove(key);
      } else {
        this.tombstones.set(key, tombstone);
        this.tombstoneKeys.add(key);
      }
    }
    applyRows(this.sessions, draft.sessions.changed);
    applyRows(this.services, draft.services.changed);
    applyRows(this.checks, draft.checks.changed);
    for (const [topic, index] of draft.touched) {
      if (topic.startsWith('k:')) this.kvIndex = Math.max(this.kvIndex, index);
      else this.raise(topic, index);
    }
    this.index = Math.max(this.index, draft.lastIndex);
  }

  /** Raises every table to `index` (a restore changed everything). */
  raiseTables(index: number): void {
    this.kvIndex = Math.max(this.kvIndex, index);
    for (const topic of [
      topicKeys.services,
      topicKeys.checks,
      topicKeys.nodeChecks,
      topicKeys.sessions,
      topicKeys.nodes,
    ]) {
      this.raise(topic, index);
    }
    for (const topic of this.topicIndexes.keys()) this.raise(topic, index);
    this.index = Math.max(this.index, index);
  }

  /** The index of a table or topic (0 when nothing ever changed it). */
  topicIndex(topic: TopicKey): number {
    return this.topicIndexes.get(topic) ?? 0;
  }

  /** A single key's index: its ModifyIndex, else the KV table's (tombstones included). */
  keyIndex(key: string): number {
    return this.kv.get(key)?.modifyIndex ?? this.kvIndex;
  }

  /** A prefix's index: the highest ModifyIndex under it, tombstones included, else the KV table's. */
  prefixIndex(prefix: string): number {
    let index = 0;
    for (const key of this.kvKeys.withPrefix(prefix))
      index = Math.max(index, (this.kv.get(key) as KvEntry).modifyIndex);
    for (const key of this.tombstoneKeys.withPrefix(prefix)) {
      index = Math.max(index, (this.tombstones.get(key) as KvTombstone).modifyIndex);
    }
    return index === 0 ? this.kvIndex : index;
  }

  /** Entries under a prefix, in key order. */
  kvList(prefix: string): KvEntry[] {
    return this.kvKeys.withPrefix(prefix).map((key) => this.kv.get(key) as KvEntry);
  }

  keysWithPrefix(prefix: string): string[] {
    return this.kvKeys.withPrefix(prefix);
  }

  /** A service name's index: its instances and their checks, and the node-level checks every instance carries. */
  serviceIndex(name: string): number {
    const own = this.topicIndexes.get(topicKeys.service(name)) ?? this.topicIndex(topicKeys.services);
    return Math.max(own, this.topicIndex(topicKeys.nodeChecks));
  }

  /** The node's index: itself, its services and its checks. */
  nodeIndex(): number {
    return Math.max(
      this.topicIndex(topicKeys.nodes),
      this.topicIndex(topicKeys.services),
      this.topicIndex(topicKeys.checks),
    );
  }

  snapshot(): CatalogSnapshot {
    return {
      index: this.index,
      node: this.node,
      kv: this.kvList(''),
      tombstones: this.tombstoneKeys.withPrefix('').map((key) => this.tombstones.get(key) as KvTombstone),
      sessions: [...this.sessions.values()],
      services: [...this.services.values()],
      checks: [...this.checks.values()],
    };
  }

  private putSession(session: CatalogSession): CatalogSession {
    this.sessions.set(session.id, session);
    return session;
  }

  private raise(topic: TopicKey, index: number): void {
    if (index > (this.topicIndexes.get(topic) ?? 0)) this.topicIndexes.set(topic, index);
  }
}

function applyRows<T>(rows: Map<string, T>, changed: ReadonlyMap<string, T | null>): void {
  for (const [key, row] of changed) {
    if (row === null) rows.delete(key);
    else rows.set(key, row);
  }
}
