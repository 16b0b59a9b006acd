/** Environments in SQL: named uniquely within their project. */
import { SlipwayError } from '@slipway/contract';
import type { EnvironmentRecord, EnvironmentRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { Database, EnvironmentTable } from './database.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

export function createEnvironmentRepository(db: Kysely<Database>): EnvironmentRepository {
  const select = () => db.selectFrom('environments').selectAll();
  return {
    async insert(record) {
      try {
        await db
          .insertInto('environments')
          .values({ id: record.id, project_id: record.projectId, name: record.name, created_at_ms: record.createdAtMs })
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error, uniqueConstraints.environmentName)) throw error;
        throw new SlipwayError('VALIDATION_FAILED', `the project already has an environment named "${record.name}"`, {
          details: { conflict: 'name', name: record.name, projectId: record.projectId },
          cause: error,
        });
      }
    },
    async find(projectId, name) {
      const row = await select().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
      return row && toRecord(row);
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async delete(id) {
      await db.deleteFrom('environments').where('id', '=', id).execute();
    },
    async listByProject(projectId) {
      const rows = await select().where('project_id', '=', projectId).orderBy('name').execute();
      return rows.map(toRecord);
    },
  };
}

function toRecord(row: Selectable<EnvironmentTable>): EnvironmentRecord {
  return { id: row.id, projectId: row.project_id, name: row.name, createdAtMs: fromBigInt(row.created_at_ms) };
}
