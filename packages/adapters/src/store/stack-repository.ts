/** Stacks and stack deployments in SQL; services and per-service progress travel as JSON with their row. */
import { SlipwayError } from '@slipway/contract';
import type {
  StackDeploymentRecord,
  StackRecord,
  StackRepository,
  StackServiceDeployment,
  StackServiceRecord,
  StackSource,
} from '@slipway/core';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, fromNullableBigInt, toJson } from './column-codec.js';
import type { Database } from './database.js';
import type { StackDeploymentTable, StackTable } from './stack-tables.js';
import { isUniqueViolation, type UniqueConstraint } from './unique-violation.js';

const stackName: UniqueConstraint = { name: 'stacks_name_unique', table: 'stacks', columns: ['name'] };

function stackRow(record: StackRecord): Insertable<StackTable> {
  return {
    id: record.id,
    project_id: record.projectId,
    name: record.name,
    runtime: record.runtime,
    prefix: record.prefix,
    source_kind: record.source.kind,
    repository_id: record.source.kind === 'repository' ? record.source.repositoryId : null,
    source: toJson(record.source),
    services: toJson(record.services),
    notices: toJson(record.notices),
    created_at_ms: record.createdAtMs,
    updated_at_ms: record.updatedAtMs,
  };
}

function toStack(row: Selectable<StackTable>): StackRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    runtime: row.runtime,
    prefix: row.prefix,
    source: fromJson<StackSource>(row.source),
    services: fromJson<StackServiceRecord[]>(row.services),
    notices: fromJson<Array<{ path: string; reason: string }>>(row.notices),
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}

function deploymentRow(record: StackDeploymentRecord): Insertable<StackDeploymentTable> {
  return {
    id: record.id,
    stack_id: record.stackId,
    environment: record.environment,
    kind: record.kind,
    state: record.state,
    commit_id: record.commit,
    ref: record.ref,
    requested_by: record.requestedBy,
    services: toJson(record.services),
    reason: record.reason,
    created_at_ms: record.createdAtMs,
    updated_at_ms: record.updatedAtMs,
    finished_at_ms: record.finishedAtMs,
  };
}

function toDeployment(row: Selectable<StackDeploymentTable>): StackDeploymentRecord {
  return {
    id: row.id,
    stackId: row.stack_id,
    environment: row.environment,
    kind: row.kind,
    state: row.state,
    commit: row.commit_id,
    ref: row.ref,
    requestedBy: row.requested_by,
    services: fromJson<StackServiceDeployment[]>(row.services),
    reason: row.reason,
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
    finishedAtMs: fromNullableBigInt(row.finished_at_ms),
  };
}

export function createStackRepository(db: Kysely<Database>): StackRepository {
  const stacks = () => db.selectFrom('stacks').selectAll();
  const deployments = () => db.selectFrom('stack_deployments').selectAll();
  return {
    async insert(record) {
      try {
        await db.insertInto('stacks').values(stackRow(record)).execute();
      } catch (error) {
        if (!isUniqueViolation(error, stackName)) throw error;
        throw new SlipwayError('STACK_ALREADY_EXISTS', `a stack named "${record.name}" exists already`, {
          details: { stack: record.name },
          cause: error,
        });
      }
    },
    async update(record) {
      const { id: _id, created_at_ms: _created, ...row } = stackRow(record);
      await db.updateTable('stacks').set(row).where('id', '=', record.id).execute();
    },
    async findById(id) {
      const row = await stacks().where('id', '=', id).executeTakeFirst();
      return row && toStack(row);
    },
    async findByName(name) {
      const row = await stacks().where('name', '=', name).executeTakeFirst();
      return row && toStack(row);
    },
    async list() {
      return (await stacks().orderBy('name').execute()).map(toStack);
    },
    async listByRepository(repositoryId) {
      return (await stacks().where('repository_id', '=', repositoryId).orderBy('name').execute()).map(toStack);
    },
    async delete(id) {
      // Deployments go first: PostgreSQL and SQLite both cascade, but only when foreign keys are enforced.
      await db.deleteFrom('stack_deployments').where('stack_id', '=', id).execute();
      const result = await db.deleteFrom('stacks').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async insertDeployment(record) {
      await db.insertInto('stack_deployments').values(deploymentRow(record)).execute();
    },
    async updateDeployment(record) {
      const { id: _id, stack_id: _stack, created_at_ms: _created, ...row } = deploymentRow(record);
      await db.updateTable('stack_deployments').set(row).where('id', '=', record.id).execute();
    },
    async findDeployment(id) {
      const row = await deployments().where('id', '=', id).executeTakeFirst();
      return row && toDeployment(row);
    },
    async listDeployments(stackId, limit) {
      const rows = await deployments()
        .where('stack_id', '=', stackId)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toDeployment);
    },
    async listRunningDeployments() {
      const rows = await deployments().where('state', '=', 'running').orderBy('created_at_ms').orderBy('id').execute();
      return rows.map(toDeployment);
    },
  };
}
