/** Git repositories in SQL: names unique per project, the sealed credential kept as JSON beside its data key. */
import { SlipwayError } from '@slipway/contract';
import type { GitRepositoryRecord, GitRepositoryRepository, SealedRepositoryCredential } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromNullableJson, toNullableJson } from './column-codec.js';
import type { Database } from './database.js';
import type { GitRepositoryTable } from './git-repository-tables.js';
import { isUniqueViolation, type UniqueConstraint } from './unique-violation.js';

const repositoryName: UniqueConstraint = {
  name: 'git_repositories_project_name_unique',
  table: 'git_repositories',
  columns: ['project_id', 'name'],
};

export function createGitRepositoryRepository(db: Kysely<Database>): GitRepositoryRepository {
  const select = () => db.selectFrom('git_repositories').selectAll();
  return {
    async insert(record) {
      try {
        await db.insertInto('git_repositories').values(toRow(record)).execute();
      } catch (error) {
        if (!isUniqueViolation(error, repositoryName)) throw error;
        throw new SlipwayError('REPOSITORY_ALREADY_EXISTS', `the project has a repository named "${record.name}"`, {
          details: { name: record.name },
          cause: error,
        });
      }
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findByName(projectId, name) {
      const row = await select().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
      return row && toRecord(row);
    },
    async listByProject(projectId) {
      return (await select().where('project_id', '=', projectId).orderBy('name').execute()).map(toRecord);
    },
    async list() {
      return (await select().orderBy('project_id').orderBy('name').execute()).map(toRecord);
    },
    async update(record) {
      const { id: _id, project_id: _project, name: _name, created_at_ms: _created, ...changes } = toRow(record);
      await db.updateTable('git_repositories').set(changes).where('id', '=', record.id).execute();
    },
    async delete(id) {
      const result = await db.deleteFrom('git_repositories').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function toRow(record: GitRepositoryRecord) {
  return {
    id: record.id,
    project_id: record.projectId,
    name: record.name,
    provider: record.provider,
    url: record.url,
    auth_kind: record.authKind,
    public_key: record.publicKey,
    credential: toNullableJson(record.credential),
    created_at_ms: record.createdAtMs,
    updated_at_ms: record.updatedAtMs,
  };
}

function toRecord(row: Selectable<GitRepositoryTable>): GitRepositoryRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    provider: row.provider,
    url: row.url,
    authKind: row.auth_kind,
    publicKey: row.public_key,
    credential: fromNullableJson<SealedRepositoryCredential>(row.credential),
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}
