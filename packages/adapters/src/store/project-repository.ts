/** Projects in SQL: the top of the ownership tree, named uniquely. */
import { SlipwayError } from '@slipway/contract';
import type { ProjectRecord, ProjectRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { Database, ProjectTable } from './database.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

export function createProjectRepository(db: Kysely<Database>): ProjectRepository {
  const select = () => db.selectFrom('projects').selectAll();
  return {
    async insert(record) {
      try {
        await db
          .insertInto('projects')
          .values({ id: record.id, name: record.name, created_at_ms: record.createdAtMs })
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error, uniqueConstraints.projectName)) throw error;
        throw new SlipwayError('VALIDATION_FAILED', `a project named "${record.name}" already exists`, {
          details: { conflict: 'name', name: record.name },
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
  };
}

function toRecord(row: Selectable<ProjectTable>): ProjectRecord {
  return { id: row.id, name: row.name, createdAtMs: fromBigInt(row.created_at_ms) };
}
