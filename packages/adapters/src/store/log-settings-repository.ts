/** Each app's override of the log retention, in SQL. */
import type { LogSettingsRecord, LogSettingsRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { LogSettingsTable } from './log-tables.js';

export function createLogSettingsRepository(db: Kysely<Database>): LogSettingsRepository {
  return {
    async find(appId) {
      const row = await db.selectFrom('log_settings').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async list() {
      return (await db.selectFrom('log_settings').selectAll().execute()).map(toRecord);
    },
    async put(record) {
      const values = {
        retention_ms: record.retentionMs,
        max_bytes: record.maxBytes,
        updated_at_ms: record.updatedAtMs,
      };
      await db
        .insertInto('log_settings')
        .values({ app_id: record.appId, ...values })
        .onConflict((conflict) => conflict.column('app_id').doUpdateSet(values))
        .execute();
    },
  };
}

function toRecord(row: Selectable<LogSettingsTable>): LogSettingsRecord {
  return {
    appId: row.app_id,
    retentionMs: fromNullableBigInt(row.retention_ms),
    maxBytes: fromNullableBigInt(row.max_bytes),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}
