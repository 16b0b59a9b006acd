/** Sessions and their single-use refresh tokens in SQL; marking a refresh token used is one conditional update. */
import type { RefreshTokenRecord, SessionRecord, SessionRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { RefreshTokenTable, SessionTable } from './identity-tables.js';

export function createSessionRepository(db: Kysely<Database>): SessionRepository {
  return {
    async insert(record) {
      await db
        .insertInto('sessions')
        .values({
          id: record.id,
          user_id: record.userId,
          created_at_ms: record.createdAtMs,
          expires_at_ms: record.expiresAtMs,
          revoked_at_ms: record.revokedAtMs,
          revoked_reason: record.revokedReason,
        })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSession(row);
    },
    async revoke(id, atMs, reason) {
      await db
        .updateTable('sessions')
        .set({ revoked_at_ms: atMs, revoked_reason: reason })
        .where('id', '=', id)
        .where('revoked_at_ms', 'is', null)
        .execute();
    },
    async revokeAllOfUser(userId, atMs, reason) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at_ms: atMs, revoked_reason: reason })
        .where('user_id', '=', userId)
        .where('revoked_at_ms', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async insertRefreshToken(record) {
      await db
        .insertInto('refresh_tokens')
        .values({
          id: record.id,
          session_id: record.sessionId,
          token_hash: record.tokenHash,
          created_at_ms: record.createdAtMs,
          expires_at_ms: record.expiresAtMs,
          used_at_ms: record.usedAtMs,
        })
        .execute();
    },
    async findRefreshTokenByHash(tokenHash) {
      const row = await db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toRefreshToken(row);
    },
    async markRefreshTokenUsed(id, atMs) {
      const result = await db
        .updateTable('refresh_tokens')
        .set({ used_at_ms: atMs })
        .where('id', '=', id)
        .where('used_at_ms', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async deleteEnded(beforeMs) {
      // Refresh tokens go with their session (ON DELETE CASCADE).
      const result = await db.deleteFrom('sessions').where('expires_at_ms', '<', beforeMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toSession(row: Selectable<SessionTable>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAtMs: fromBigInt(row.created_at_ms),
    expiresAtMs: fromBigInt(row.expires_at_ms),
    revokedAtMs: fromNullableBigInt(row.revoked_at_ms),
    revokedReason: row.revoked_reason,
  };
}

function toRefreshToken(row: Selectable<RefreshTokenTable>): RefreshTokenRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    tokenHash: row.token_hash,
    createdAtMs: fromBigInt(row.created_at_ms),
    expiresAtMs: fromBigInt(row.expires_at_ms),
    usedAtMs: fromNullableBigInt(row.used_at_ms),
  };
}
