/** A Store over any Kysely dialect: repositories bound to the database or to a transaction, migrations, shutdown. */
import type { Repositories, Store } from '@slipway/core';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { migrateToLatest } from './migrations.js';
import { createRepositories } from './repositories.js';

/** Takes ownership of `db`: `close()` destroys it. */
export function createKyselyStore(db: Kysely<Database>): Store {
  return {
    ...createRepositories(db),
    async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
      return db.transaction().execute((trx) => work(createRepositories(trx)));
    },
    async migrate() {
      await migrateToLatest(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
