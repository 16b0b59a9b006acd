/** Apps in SQL: globally unique names (they become hostnames); deleting one cascades to everything under it. */
import { SlipwayError } from '@slipway/contract';
import type { AppRecord, AppRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { AppTable, Database } from './database.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

export function createAppRepository(db: Kysely<Database>): AppRepository {
  const select = () => db.selectFrom('apps').selectAll();
  return {
    async insert(record) {
      try {
        await db
          .insertInto('apps')
          .values({ id: record.id, project_id: record.projectId, name: record.name, created_at_ms: record.createdAtMs })
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error, uniqueConstraints.appName)) throw error;
        throw new SlipwayError('APP_ALREADY_EXISTS', `an app named "${record.name}" already exists`, {
          details: { name: record.name },
          cause: error,
        });
      }
    },
    async findByName(name) {
      const row = await select().where('name', '=', name).executeTakeFirst();
      return row && toRecord(row);
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async list() {
      const rows = await select().orderBy('name').execute();
      return rows.map(toRecord);
    },
    async delete(id) {
      // Every table under an app references it (or its deployments) with ON DELETE CASCADE.
      await db.deleteFrom('apps').where('id', '=', id).execute();
    },
  };
}

function toRecord(row: Selectable<AppTable>): AppRecord {
  return { id: row.id, projectId: row.project_id, name: row.name, createdAtMs: fromBigInt(row.created_at_ms) };
}
