/** Users and their role grants in SQL; a global grant is stored with the scope `*`. */
import { SlipwayError } from '@slipway/contract';
import type { GrantRecord, UserRecord, UserRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { GrantTable, UserTable } from './identity-tables.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

const globalScope = '*';
const scopeOf = (projectId: string | null): string => projectId ?? globalScope;

export function createUserRepository(db: Kysely<Database>): UserRepository {
  const select = () => db.selectFrom('users').selectAll();
  return {
    async insert(record) {
      try {
        await db
          .insertInto('users')
          .values({
            id: record.id,
            name: record.name,
            password_hash: record.passwordHash,
            created_at_ms: record.createdAtMs,
            updated_at_ms: record.updatedAtMs,
          })
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error, uniqueConstraints.userName)) throw error;
        throw new SlipwayError('USER_ALREADY_EXISTS', `a user named "${record.name}" exists already`, {
          details: { user: record.name },
          cause: error,
        });
      }
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async findByName(name) {
      const row = await select().where('name', '=', name).executeTakeFirst();
      return row && toUser(row);
    },
    async list() {
      return (await select().orderBy('name').execute()).map(toUser);
    },
    async count() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async setPasswordHash(userId, passwordHash, atMs) {
      const result = await db
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at_ms: atMs })
        .where('id', '=', userId)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new SlipwayError('USER_NOT_FOUND', `no user with id "${userId}"`, { details: { userId } });
      }
    },
    async listGrants(userId) {
      const rows = await db.selectFrom('grants').selectAll().where('user_id', '=', userId).orderBy('scope').execute();
      return rows.map(toGrant);
    },
    async listGlobalGrants(role) {
      const rows = await db
        .selectFrom('grants')
        .selectAll()
        .where('scope', '=', globalScope)
        .where('role', '=', role)
        .orderBy('user_id')
        .execute();
      return rows.map(toGrant);
    },
    async putGrant(grant) {
      const values = {
        user_id: grant.userId,
        scope: scopeOf(grant.projectId),
        role: grant.role,
        created_at_ms: grant.createdAtMs,
      };
      await db
        .insertInto('grants')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['user_id', 'scope']).doUpdateSet({ role: grant.role, created_at_ms: grant.createdAtMs }),
        )
        .execute();
    },
    async deleteGrant(userId, projectId) {
      const result = await db
        .deleteFrom('grants')
        .where('user_id', '=', userId)
        .where('scope', '=', scopeOf(projectId))
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function toUser(row: Selectable<UserTable>): UserRecord {
  return {
    id: row.id,
    name: row.name,
    passwordHash: row.password_hash,
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}

function toGrant(row: Selectable<GrantTable>): GrantRecord {
  return {
    userId: row.user_id,
    projectId: row.scope === globalScope ? null : row.scope,
    role: row.role,
    createdAtMs: fromBigInt(row.created_at_ms),
  };
}
