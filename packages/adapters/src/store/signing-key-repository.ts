/** Access-token signing keys in SQL: one active (with its private key), retired ones public-only until they expire. */
import type { SigningKeyRecord, SigningKeyRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { SigningKeyTable } from './identity-tables.js';

export function createSigningKeyRepository(db: Kysely<Database>): SigningKeyRepository {
  const select = () => db.selectFrom('signing_keys').selectAll();
  return {
    async insert(record) {
      await db
        .insertInto('signing_keys')
        .values({
          id: record.id,
          algorithm: record.algorithm,
          public_key: record.publicKey,
          private_key: record.privateKey,
          created_at_ms: record.createdAtMs,
          retired_at_ms: record.retiredAtMs,
          verify_until_ms: record.verifyUntilMs,
        })
        .execute();
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findActive() {
      const row = await select()
        .where('retired_at_ms', 'is', null)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async listVerifying(nowMs) {
      const rows = await select()
        .where((eb) => eb.or([eb('verify_until_ms', 'is', null), eb('verify_until_ms', '>', nowMs)]))
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toRecord);
    },
    async retire(id, retiredAtMs, verifyUntilMs) {
      await db
        .updateTable('signing_keys')
        .set({ retired_at_ms: retiredAtMs, verify_until_ms: verifyUntilMs, private_key: null })
        .where('id', '=', id)
        .execute();
    },
    async deleteExpired(nowMs) {
      const result = await db
        .deleteFrom('signing_keys')
        .where('verify_until_ms', 'is not', null)
        .where('verify_until_ms', '<=', nowMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRecord(row: Selectable<SigningKeyTable>): SigningKeyRecord {
  return {
    id: row.id,
    algorithm: row.algorithm,
    publicKey: row.public_key,
    privateKey: row.private_key,
    createdAtMs: fromBigInt(row.created_at_ms),
    retiredAtMs: fromNullableBigInt(row.retired_at_ms),
    verifyUntilMs: fromNullableBigInt(row.verify_until_ms),
  };
}
