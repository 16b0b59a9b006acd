/**
 * A `CatalogStore` in memory, for the engine's unit tests and for the core's fakes: it keeps what it is given as a
 * durable store would (copied, so a later change to a record the caller holds does not reach it), applies a commit
 * all or nothing, and refuses a commit whose index goes back. It runs the `describeCatalogStore` contract suite.
 */
import type { CatalogChange, CatalogSnapshot, CatalogStore } from '@slipway/core';

export interface MemoryCatalogStore extends CatalogStore {
  /** Commits stored so far. */
  readonly commitCount: number;
  /** Makes the next commits reject (writing nothing) until set back to false: a disk that fails. */
  isFailing: boolean;
  /** A new handle on what this one stored (after `close`, as a restarted process opens the same file). */
  reopen(): MemoryCatalogStore;
}

interface Tables {
  index: number;
  node: CatalogSnapshot['node'] | undefined;
  kv: Map<string, CatalogSnapshot['kv'][number]>;
  tombstones: Map<string, CatalogSnapshot['tombstones'][number]>;
  sessions: Map<string, CatalogSnapshot['sessions'][number]>;
  services: Map<string, CatalogSnapshot['services'][number]>;
  checks: Map<string, CatalogSnapshot['checks'][number]>;
}

export function createMemoryCatalogStore(): MemoryCatalogStore {
  return memoryCatalogStore({ tables: undefined, commitCount: 0 });
}

/** What survives a close: the stored tables. */
interface Disk {
  tables: Tables | undefined;
  commitCount: number;
}

function memoryCatalogStore(disk: Disk): MemoryCatalogStore {
  let isClosed = false;

  const assertOpen = () => {
    if (isClosed) throw new Error('catalog store is closed');
  };

  const store: MemoryCatalogStore = {
    isFailing: false,
    get commitCount() {
      return disk.commitCount;
    },
    reopen: () => memoryCatalogStore(disk),
    async load() {
      assertOpen();
      await Promise.resolve();
      const tables = disk.tables;
      if (!tables?.node) return undefined;
      return copy({
        index: tables.index,
        node: tables.node,
        kv: sorted(tables.kv),
        tombstones: sorted(tables.tombstones),
        sessions: sorted(tables.sessions),
        services: sorted(tables.services),
        checks: sorted(tables.checks),
      });
    },
    async commit(change: CatalogChange) {
      assertOpen();
      await Promise.resolve();
      if (store.isFailing) throw new Error('catalog store commit failed (failing on purpose)');
      const current = disk.tables ?? emptyTables();
      if (change.index < current.index) {
        throw new Error(`catalog index ${change.index} is behind the stored ${current.index}`);
      }
      if (!current.node && !change.node) throw new Error('the first commit must write the node');
      const next: Tables = {
        index: change.index,
        node: change.node ? copy(change.node) : current.node,
        kv: applyRows(current.kv, change.kvPut, (row) => row.key, change.kvDelete),
        tombstones: applyRows(current.tombstones, change.tombstonePut, (row) => row.key, change.tombstoneDelete),
        sessions: applyRows(current.sessions, change.sessionPut, (row) => row.id, change.sessionDelete),
        services: applyRows(current.services, change.servicePut, (row) => row.id, change.serviceDelete),
        checks: applyRows(current.checks, change.checkPut, (row) => row.checkId, change.checkDelete),
      };
      disk.tables = next;
      disk.commitCount += 1;
    },
    async replace(snapshot: CatalogSnapshot) {
      assertOpen();
      await Promise.resolve();
      if (store.isFailing) throw new Error('catalog store replace failed (failing on purpose)');
      const current = disk.tables ?? emptyTables();
      if (snapshot.index < current.index) {
        throw new Error(`catalog index ${snapshot.index} is behind the stored ${current.index}`);
      }
      const given = copy(snapshot);
      disk.tables = {
        index: given.index,
        node: given.node,
        kv: new Map(given.kv.map((row) => [row.key, row])),
        tombstones: new Map(given.tombstones.map((row) => [row.key, row])),
        sessions: new Map(given.sessions.map((row) => [row.id, row])),
        services: new Map(given.services.map((row) => [row.id, row])),
        checks: new Map(given.checks.map((row) => [row.checkId, row])),
      };
    },
    async close() {
      await Promise.resolve();
      isClosed = true;
    },
  };
  return store;
}

function emptyTables(): Tables {
  return {
    index: 0,
    node: undefined,
    kv: new Map(),
    tombstones: new Map(),
    sessions: new Map(),
    services: new Map(),
    checks: new Map(),
  };
}

function applyRows<T>(
  rows: ReadonlyMap<string, T>,
  puts: readonly T[] | undefined,
  keyOf: (row: T) => string,
  deletes: readonly string[] | undefined,
): Map<string, T> {
  const next = new Map(rows);
  for (const key of deletes ?? []) next.delete(key);
  for (const row of puts ?? []) next.set(keyOf(row), copy(row));
  return next;
}

function sorted<T>(rows: ReadonlyMap<string, T>): T[] {
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** A deep copy that keeps byte arrays as byte arrays. */
function copy<T>(value: T): T {
  return structuredClone(value);
}
