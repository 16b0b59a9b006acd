/** Runs the CatalogStore contract against SQLite (a file and `:memory:`), plus what only a file can show. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CatalogStore } from '@slipway/core';
import { catalogNode, describeCatalogStore, kvEntry, sortedCatalogSnapshot } from '@slipway/testkit';
import { catalogSchemaVersion } from './catalog-schema.js';
import { createSqliteCatalogStore } from './sqlite-catalog-store.js';

const dirs: string[] = [];
const freshFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-catalog-store-'));
  dirs.push(dir);
  return join(dir, 'catalog.db');
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeCatalogStore('SQLite file', () => createSqliteCatalogStore({ file: freshFile() }));
describeCatalogStore('SQLite :memory:', () => createSqliteCatalogStore({ file: ':memory:' }));

describe('createSqliteCatalogStore', () => {
  const open: CatalogStore[] = [];
  const openStore = async (file: string) => {
    const store = await createSqliteCatalogStore({ file });
    open.push(store);
    return store;
  };
  const probe = <T>(file: string, read: (database: SqliteDatabase.Database) => T): T => {
    const database = new SqliteDatabase(file, { readonly: true });
    try {
      return read(database);
    } finally {
      database.close();
    }
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it('keeps its file in WAL mode at the schema version it writes', async () => {
    const file = freshFile();
    await openStore(file);
    expect(probe(file, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    expect(probe(file, (db) => db.pragma('user_version', { simple: true }))).toBe(catalogSchemaVersion);
  });

  it('keeps everything and its index across close and reopen, and the index never goes back', async () => {
    const file = freshFile();
    const first = await createSqliteCatalogStore({ file });
    await first.commit({ index: 1, node: catalogNode, kvPut: [kvEntry('a', '1', 1)] });
    await first.commit({
      index: 7,
      kvPut: [kvEntry('b', '2', 7)],
      tombstonePut: [{ key: 'c', modifyIndex: 7, deletedAtMs: 3 }],
    });
    const before = sortedCatalogSnapshot(await first.load());
    await first.close();

    const reopened = await openStore(file);
    expect(sortedCatalogSnapshot(await reopened.load())).toEqual(before);
    await expect(reopened.commit({ index: 6, kvPut: [kvEntry('d', '3', 6)] })).rejects.toThrow(/never go back/);
    await expect(reopened.replace({ ...before!, index: 3 })).rejects.toThrow(/never go back/);
    expect(sortedCatalogSnapshot(await reopened.load())).toEqual(before);
  });

  it('refuses a database written by a newer schema, and leaves it as it was', async () => {
    const file = freshFile();
    const database = new SqliteDatabase(file);
    database.pragma(`user_version = ${catalogSchemaVersion + 1}`);
    database.close();
    await expect(createSqliteCatalogStore({ file })).rejects.toThrow(/newer than this slipwayd knows/);
    expect(probe(file, (db) => db.pragma('user_version', { simple: true }))).toBe(catalogSchemaVersion + 1);
  });
});
