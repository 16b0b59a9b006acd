/** Runs a multi-statement write atomically: inside the caller's transaction when there is one, else in its own. */
import type { Kysely } from 'kysely';
import type { Database } from './database.js';

export async function atomically<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  // Kysely transactions do not nest; a repository bound to a transaction is already atomic with its caller.
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}
