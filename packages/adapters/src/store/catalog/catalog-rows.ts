/**
 * Rows of the catalog database and the records they hold: KV entries column by column (values as blobs, so a large
 * value costs no encoding), every other record as its JSON under its id.
 */
import type { CatalogNode, CatalogSession, CheckRecord, KvEntry, KvTombstone, ServiceRecord } from '@slipway/core';

export interface KvRow {
  key: string;
  value: Buffer | null;
  flags: number;
  create_index: number;
  modify_index: number;
  lock_index: number;
  session: string | null;
}

export interface TombstoneRow {
  key: string;
  modify_index: number;
  deleted_at_ms: number;
}

export interface RecordRow {
  record: string;
}

export interface StateRow {
  last_index: number;
  node: string | null;
}

/** Parameters of the KV upsert, named after its columns. */
export function kvParameters(entry: KvEntry): KvRow {
  return {
    key: entry.key,
    // A view over the caller's bytes: better-sqlite3 copies them into the row, so nothing of the caller's is kept.
    value:
      entry.value === null ? null : Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength),
    flags: entry.flags,
    create_index: entry.createIndex,
    modify_index: entry.modifyIndex,
    lock_index: entry.lockIndex,
    session: entry.session,
  };
}

export function kvFromRow(row: KvRow): KvEntry {
  return {
    key: row.key,
    // A plain Uint8Array, so records compare equal whatever store they came from.
    value: row.value === null ? null : new Uint8Array(row.value),
    flags: row.flags,
    createIndex: row.create_index,
    modifyIndex: row.modify_index,
    lockIndex: row.lock_index,
    session: row.session,
  };
}

export function tombstoneParameters(tombstone: KvTombstone): TombstoneRow {
  return { key: tombstone.key, modify_index: tombstone.modifyIndex, deleted_at_ms: tombstone.deletedAtMs };
}

export function tombstoneFromRow(row: TombstoneRow): KvTombstone {
  return { key: row.key, modifyIndex: row.modify_index, deletedAtMs: row.deleted_at_ms };
}

export function recordFromRow<T extends CatalogSession | ServiceRecord | CheckRecord | CatalogNode>(json: string): T {
  return JSON.parse(json) as T;
}
