/**
 * The catalog's own SQLite database (`<dataDir>/catalog.db`), apart from the main store so its group commits never
 * wait on the main store's writers. A commit has reached the disk when it resolves, which is what lets the engine
 * acknowledge a write; each commit and each replace is one transaction.
 *
 * Durability without blocking: SQLite runs in WAL mode with `synchronous = NORMAL`, so a transaction only appends to
 * the write-ahead log, and the store then fdatasyncs that log itself, off the main thread (libuv's pool), before the
 * commit resolves. That is the sync `synchronous = FULL` would make inside the transaction, but while it runs slipwayd
 * goes on reading requests, which the engine's group commit gathers into the next commit. Checkpoints stay SQLite's
 * (it syncs the log before and the database after each). A failed sync leaves the store refusing everything: what the
 * disk holds is then unknown, and only a restart (reading the database again) can tell.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { SlipwayError } from '@slipway/contract';
import type { CatalogChange, CatalogSnapshot, CatalogStore } from '@slipway/core';
import {
  kvFromRow,
  kvParameters,
  recordFromRow,
  tombstoneFromRow,
  tombstoneParameters,
  type KvRow,
  type RecordRow,
  type StateRow,
  type TombstoneRow,
} from './catalog-rows.js';
import { migrateCatalogSchema } from './catalog-schema.js';

export interface SqliteCatalogStoreOptions {
  /** Path of the database file (created if missing), or `:memory:` (tests only: nothing survives a close). */
  file: string;
}

/** Opens (creating and migrating) the catalog database. */
export async function createSqliteCatalogStore(options: SqliteCatalogStoreOptions): Promise<CatalogStore> {
  const database = new SqliteDatabase(options.file);
  let wal: FileHandle | undefined;
  try {
    database.pragma('busy_timeout = 5000');
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    migrateCatalogSchema(database, options.file);
    if (options.file !== ':memory:') {
      // The log exists once the database has been read in WAL mode; it is never deleted while this connection is open.
      wal = await open(`${options.file}-wal`, 'r+');
      // The names of a new database and its log reach the disk before the first commit is acknowledged.
      await syncDirectory(dirname(options.file));
    }
  } catch (error) {
    await wal?.close();
    database.close();
    throw error;
  }
  return sqliteCatalogStore(database, wal);
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

function sqliteCatalogStore(database: SqliteDatabase.Database, wal: FileHandle | undefined): CatalogStore {
  const statements = {
    state: database.prepare<[], StateRow>('select last_index, node from catalog_state where id = 1'),
    putState: database.prepare<[{ last_index: number; node: string | null }]>(
      'insert into catalog_state (id, last_index, node) values (1, @last_index, @node) ' +
        'on conflict (id) do update set last_index = excluded.last_index, node = coalesce(excluded.node, node)',
    ),
    kv: database.prepare<[], KvRow>('select * from kv'),
    putKv: database.prepare<[KvRow]>(
      'insert or replace into kv (key, value, flags, create_index, modify_index, lock_index, session) ' +
        'values (@key, @value, @flags, @create_index, @modify_index, @lock_index, @session)',
    ),
    deleteKv: database.prepare<[string]>('delete from kv where key = ?'),
    tombstones: database.prepare<[], TombstoneRow>('select * from kv_tombstones'),
    putTombstone: database.prepare<[TombstoneRow]>(
      'insert or replace into kv_tombstones (key, modify_index, deleted_at_ms) values (@key, @modify_index, @deleted_at_ms)',
    ),
    deleteTombstone: database.prepare<[string]>('delete from kv_tombstones where key = ?'),
    sessions: database.prepare<[], RecordRow>('select record from sessions'),
    putSession: database.prepare<[string, string]>('insert or replace into sessions (id, record) values (?, ?)'),
    deleteSession: database.prepare<[string]>('delete from sessions where id = ?'),
    services: database.prepare<[], RecordRow>('select record from services'),
    putService: database.prepare<[string, string]>('insert or replace into services (id, record) values (?, ?)'),
    deleteService: database.prepare<[string]>('delete from services where id = ?'),
    checks: database.prepare<[], RecordRow>('select record from checks'),
    putCheck: database.prepare<[string, string]>('insert or replace into checks (check_id, record) values (?, ?)'),
    deleteCheck: database.prepare<[string]>('delete from checks where check_id = ?'),
  };

  /** Refuses an index below the last committed one, and a first change without the node; runs inside the transaction. */
  const checkIndex = (index: number, hasNode: boolean, what: string): void => {
    const state = statements.state.get();
    if (state === undefined || state.node === null) {
      if (!hasNode) throw new SlipwayError('INTERNAL', `the first ${what} of a catalog store must carry its node`);
      return;
    }
    if (index < state.last_index)
      throw new SlipwayError(
        'INTERNAL',
        `catalog ${what} at index ${index} is below the last committed index ${state.last_index}: indexes never go back`,
      );
  };

  const applyChange = database.transaction((change: CatalogChange) => {
    checkIndex(change.index, change.node !== undefined, 'commit');
    // Deletes first, then puts: a change names each key at most once, so the order only matters to a faulty caller.
    for (const key of change.kvDelete ?? []) statements.deleteKv.run(key);
    for (const key of change.tombstoneDelete ?? []) statements.deleteTombstone.run(key);
    for (const id of change.sessionDelete ?? []) statements.deleteSession.run(id);
    for (const id of change.serviceDelete ?? []) statements.deleteService.run(id);
    for (const id of change.checkDelete ?? []) statements.deleteCheck.run(id);
    for (const entry of change.kvPut ?? []) statements.putKv.run(kvParameters(entry));
    for (const tombstone of change.tombstonePut ?? []) statements.putTombstone.run(tombstoneParameters(tombstone));
    for (const session of change.sessionPut ?? []) statements.putSession.run(session.id, JSON.stringify(session));
    for (const service of change.servicePut ?? []) statements.putService.run(service.id, JSON.stringify(service));
    for (const check of change.checkPut ?? []) statements.putCheck.run(check.checkId, JSON.stringify(check));
    statements.putState.run({
      last_index: change.index,
      node: change.node === undefined ? null : JSON.stringify(change.node),
    });
  });

  const applySnapshot = database.transaction((snapshot: CatalogSnapshot) => {
    checkIndex(snapshot.index, true, 'replace');
    for (const table of ['kv', 'kv_tombstones', 'sessions', 'services', 'checks'])
      database.exec(`delete from ${table}`);
    for (const entry of snapshot.kv) statements.putKv.run(kvParameters(entry));
    for (const tombstone of snapshot.tombstones) statements.putTombstone.run(tombstoneParameters(tombstone));
    for (const session of snapshot.sessions) statements.putSession.run(session.id, JSON.stringify(session));
    for (const service of snapshot.services) statements.putService.run(service.id, JSON.stringify(service));
    for (const check of snapshot.checks) statements.putCheck.run(check.checkId, JSON.stringify(check));
    statements.putState.run({ last_index: snapshot.index, node: JSON.stringify(snapshot.node) });
  });

  const readSnapshot = database.transaction((): CatalogSnapshot | undefined => {
    const state = statements.state.get();
    if (state === undefined || state.node === null) return undefined;
    return {
      index: state.last_index,
      node: recordFromRow(state.node),
      kv: statements.kv.all().map(kvFromRow),
      tombstones: statements.tombstones.all().map(tombstoneFromRow),
      sessions: statements.sessions.all().map((row) => recordFromRow(row.record)),
      services: statements.services.all().map((row) => recordFromRow(row.record)),
      checks: statements.checks.all().map((row) => recordFromRow(row.record)),
    };
  });

  let isClosed = false;
  let failure: Error | undefined;
  /** The sync in flight, awaited by close. */
  let syncing: Promise<void> = Promise.resolve();

  /**
   * Runs synchronous database work after the I/O already waiting is handled (`setImmediate`), so writes that arrived
   * together are gathered by the engine before a commit starts; a failure (or a closed store) rejects.
   */
  const run = <T>(work: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        if (isClosed) reject(new SlipwayError('INTERNAL', 'the catalog store is closed'));
        else if (failure !== undefined) reject(failure);
        else {
          try {
            resolve(work());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }
      });
    });

  /** Runs a write, then syncs the log it appended to: it resolves once the write is on disk. */
  const runDurably = async (work: () => void): Promise<void> => {
    await run(work);
    if (wal === undefined) return;
    const sync = wal.datasync();
    syncing = sync.catch(() => undefined);
    try {
      await sync;
    } catch (error) {
      failure = new SlipwayError('INTERNAL', 'the catalog database could not be synced to disk; restart slipwayd', {
        cause: error,
      });
      throw failure;
    }
  };

  return {
    load: () => run(() => readSnapshot()),
    commit: (change) => runDurably(() => applyChange(change)),
    replace: (snapshot) => runDurably(() => applySnapshot(snapshot)),
    async close() {
      if (isClosed) return;
      isClosed = true;
      await syncing;
      await wal?.close();
      database.close();
    },
  };
}
