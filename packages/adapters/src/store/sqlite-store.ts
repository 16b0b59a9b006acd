/** The embedded Store: Kysely over better-sqlite3 in WAL mode; only the dialect is SQLite-specific. */
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDialectConfig } from 'kysely';
import type { Store } from '@slipway/core';
import type { Database } from './database.js';
import { createKyselyStore } from './kysely-store.js';

export interface SqliteStoreOptions {
  /** Path of the database file (created if missing), or `:memory:`. */
  file: string;
}

/** Opens the database; call `migrate()` before first use. */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const database = new SqliteDatabase(options.file);
  try {
    // busy_timeout first, so switching to WAL waits for another connection instead of failing.
    database.pragma('busy_timeout = 5000');
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database.close();
    throw error;
  }
  return createKyselyStore(new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) }));
}

/**
 * Starts transactions with BEGIN IMMEDIATE: a deferred transaction that reads and then writes fails at once with
 * SQLITE_BUSY when another connection wrote in between, whereas an immediate one waits (busy_timeout) for the lock.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
