/**
 * Where the service catalog persists (docs/catalog.md). The catalog engine keeps everything in memory and writes each
 * change through this port before acknowledging it: a commit is atomic and durable (on disk, fsynced) when it
 * resolves, and commits are applied in index order (the engine serializes them; it may group several writes into
 * one commit). Contract suite: `describeCatalogStore` in `@slipway/testkit`.
 */
import type {
  CatalogNode,
  CatalogSnapshot,
  CheckRecord,
  KvEntry,
  KvTombstone,
  ServiceRecord,
  CatalogSession,
} from '../catalog/catalog-records.js';

/** One commit: the rows it writes and removes, and the global index it reaches. */
export interface CatalogChange {
  /** The global index after this change; never lower than the last committed one. */
  index: number;
  node?: CatalogNode;
  kvPut?: KvEntry[];
  kvDelete?: string[];
  tombstonePut?: KvTombstone[];
  tombstoneDelete?: string[];
  sessionPut?: CatalogSession[];
  sessionDelete?: string[];
  servicePut?: ServiceRecord[];
  serviceDelete?: string[];
  checkPut?: CheckRecord[];
  checkDelete?: string[];
}

export interface CatalogStore {
  /** Everything persisted, or undefined when nothing ever was (a new catalog). */
  load(): Promise<CatalogSnapshot | undefined>;
  /** Applies the change atomically and durably; rejects (writing nothing) on any failure. */
  commit(change: CatalogChange): Promise<void>;
  /** Replaces everything with the snapshot atomically and durably (restore). */
  replace(snapshot: CatalogSnapshot): Promise<void>;
  close(): Promise<void>;
}
