/** Wrapped data keys in SQL; a re-wrap is a compare-and-set on the wrapping master key, so concurrent rotations agree. */
import type { DataKeyRecord, DataKeyRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { DataKeyTable } from './secret-tables.js';

export function createDataKeyRepository(db: Kysely<Database>): DataKeyRepository {
  const select = () => db.selectFrom('data_keys').selectAll();
  return {
    async insert(record) {
      await db
        .insertInto('data_keys')
        .values({
          id: record.id,
          app_id: record.appId,
          environment_id: record.environmentId,
          wrapped_key: record.wrappedKey,
          master_key_id: record.masterKeyId,
          created_at_ms: record.createdAtMs,
          wrapped_at_ms: record.wrappedAtMs,
        })
        .execute();
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findCurrent(appId, environmentId) {
      const row = await select()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async listNotWrappedBy(masterKeyId, limit) {
      const rows = await select()
        .where('master_key_id', '!=', masterKeyId)
        .orderBy('created_at_ms')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
    async rewrap(id, expectedMasterKeyId, wrapped) {
      const result = await db
        .updateTable('data_keys')
        .set({
          wrapped_key: wrapped.wrappedKey,
          master_key_id: wrapped.masterKeyId,
          wrapped_at_ms: wrapped.wrappedAtMs,
        })
        .where('id', '=', id)
        .where('master_key_id', '=', expectedMasterKeyId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async countByMasterKey() {
      const rows = await db
        .selectFrom('data_keys')
        .select(['master_key_id', (eb) => eb.fn.countAll<number | string>().as('count')])
        .groupBy('master_key_id')
        .execute();
      return Object.fromEntries(rows.map((row) => [row.master_key_id, Number(row.count)]));
    },
  };
}

function toRecord(row: Selectable<DataKeyTable>): DataKeyRecord {
  return {
    id: row.id,
    appId: row.app_id,
    environmentId: row.environment_id,
    wrappedKey: row.wrapped_key,
    masterKeyId: row.master_key_id,
    createdAtMs: fromBigInt(row.created_at_ms),
    wrappedAtMs: fromBigInt(row.wrapped_at_ms),
  };
}
