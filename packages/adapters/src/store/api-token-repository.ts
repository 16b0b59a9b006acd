/** API tokens in SQL: looked up by the hash of their secret, touched at most as often as the caller decides. */
import type { ApiTokenRecord, ApiTokenRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { ApiTokenTable } from './identity-tables.js';

export function createApiTokenRepository(db: Kysely<Database>): ApiTokenRepository {
  const select = () => db.selectFrom('api_tokens').selectAll();
  return {
    async insert(record) {
      await db
        .insertInto('api_tokens')
        .values({
          id: record.id,
          user_id: record.userId,
          name: record.name,
          token_hash: record.tokenHash,
          project_id: record.projectId,
          max_role: record.maxRole,
          created_at_ms: record.createdAtMs,
          expires_at_ms: record.expiresAtMs,
          last_used_at_ms: record.lastUsedAtMs,
          revoked_at_ms: record.revokedAtMs,
        })
        .execute();
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findByHash(tokenHash) {
      const row = await select().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toRecord(row);
    },
    async listByUser(userId) {
      const rows = await select().where('user_id', '=', userId).orderBy('created_at_ms').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async touch(id, atMs) {
      await db.updateTable('api_tokens').set({ last_used_at_ms: atMs }).where('id', '=', id).execute();
    },
    async revoke(id, atMs) {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at_ms: atMs })
        .where('id', '=', id)
        .where('revoked_at_ms', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

function toRecord(row: Selectable<ApiTokenTable>): ApiTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    tokenHash: row.token_hash,
    projectId: row.project_id,
    maxRole: row.max_role,
    createdAtMs: fromBigInt(row.created_at_ms),
    expiresAtMs: fromNullableBigInt(row.expires_at_ms),
    lastUsedAtMs: fromNullableBigInt(row.last_used_at_ms),
    revokedAtMs: fromNullableBigInt(row.revoked_at_ms),
  };
}
