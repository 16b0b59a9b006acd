/** Log drains in SQL: their sealed URL, delivery cursor and counts. */
import type { LogDrainRecord, LogDrainRepository } from '@slipway/core';
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { LogDrainTable } from './log-tables.js';

export function createLogDrainRepository(db: Kysely<Database>): LogDrainRepository {
  return {
    async insert(record) {
      await db
        .insertInto('log_drains')
        .values({
          id: record.id,
          project_id: record.projectId,
          app_id: record.appId,
          kind: record.kind,
          destination: record.destination,
          data_key_id: record.sealed.dataKeyId,
          wrapped_key: record.sealed.wrappedKey,
          master_key_id: record.sealed.masterKeyId,
          nonce: record.sealed.nonce,
          ciphertext: record.sealed.ciphertext,
          after_id: record.afterId,
          delivered: record.delivered,
          failed: record.failed,
          last_error: record.lastError,
          last_error_code: record.lastErrorCode,
          last_error_at_ms: record.lastErrorAtMs,
          last_delivered_at_ms: record.lastDeliveredAtMs,
          created_at_ms: record.createdAtMs,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('log_drains').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async list(projectId) {
      let select = db.selectFrom('log_drains').selectAll();
      if (projectId !== undefined) select = select.where('project_id', '=', projectId);
      return (await select.orderBy('created_at_ms').orderBy('id').execute()).map(toRecord);
    },
    async remove(id) {
      await db.deleteFrom('log_drains').where('id', '=', id).execute();
    },
    async markDelivered(id, afterId, count, atMs) {
      await db
        .updateTable('log_drains')
        .set({
          after_id: afterId,
          delivered: sql<number>`delivered + ${count}`,
          last_delivered_at_ms: atMs,
        })
        .where('id', '=', id)
        .execute();
    },
    async rewrap(id, expectedMasterKeyId, wrapped) {
      const result = await db
        .updateTable('log_drains')
        .set({ wrapped_key: wrapped.wrappedKey, master_key_id: wrapped.masterKeyId })
        .where('id', '=', id)
        .where('master_key_id', '=', expectedMasterKeyId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async markFailed(id, count, error, atMs) {
      await db
        .updateTable('log_drains')
        .set({
          failed: sql<number>`failed + ${count}`,
          last_error: error.message,
          last_error_code: error.code,
          last_error_at_ms: atMs,
        })
        .where('id', '=', id)
        .execute();
    },
  };
}

function toRecord(row: Selectable<LogDrainTable>): LogDrainRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    appId: row.app_id,
    kind: row.kind,
    destination: row.destination,
    sealed: {
      dataKeyId: row.data_key_id,
      wrappedKey: row.wrapped_key,
      masterKeyId: row.master_key_id,
      nonce: row.nonce,
      ciphertext: row.ciphertext,
    },
    afterId: fromBigInt(row.after_id),
    delivered: fromBigInt(row.delivered),
    failed: fromBigInt(row.failed),
    lastErrorCode: row.last_error_code,
    lastError: row.last_error,
    lastErrorAtMs: fromNullableBigInt(row.last_error_at_ms),
    lastDeliveredAtMs: fromNullableBigInt(row.last_delivered_at_ms),
    createdAtMs: fromBigInt(row.created_at_ms),
  };
}
