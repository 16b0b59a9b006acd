/** Running (or once-running) instances in SQL, listed in creation order. */
import { SlipwayError } from '@slipway/contract';
import type { InstanceRecord, InstanceRepository, ResourceLimits } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, fromNullableBigInt, toJson } from './column-codec.js';
import type { Database, InstanceTable } from './database.js';

export function createInstanceRepository(db: Kysely<Database>): InstanceRepository {
  const select = () => db.selectFrom('instances').selectAll();
  return {
    async insert(record) {
      await db.insertInto('instances').values(toRow(record)).execute();
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async update(record) {
      const { id, ...columns } = toRow(record);
      const result = await db.updateTable('instances').set(columns).where('id', '=', id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new SlipwayError('INSTANCE_NOT_FOUND', `instance ${id} does not exist`, { details: { id } });
      }
    },
    async list(filter = {}) {
      let query = select();
      if (filter.appId !== undefined) query = query.where('app_id', '=', filter.appId);
      if (filter.environmentId !== undefined) query = query.where('environment_id', '=', filter.environmentId);
      if (filter.releaseId !== undefined) query = query.where('release_id', '=', filter.releaseId);
      // Ids are sortable by creation time (see IdGenerator).
      const rows = await query.orderBy('id').execute();
      return rows.map(toRecord);
    },
    async delete(id) {
      await db.deleteFrom('instances').where('id', '=', id).execute();
    },
  };
}

function toRow(record: InstanceRecord) {
  return {
    id: record.id,
    app_id: record.appId,
    environment_id: record.environmentId,
    release_id: record.releaseId,
    deployment_id: record.deploymentId,
    process: record.process,
    state: record.state,
    host: record.host,
    port: record.port,
    pid: record.pid,
    restarts: record.restarts,
    last_exit_code: record.lastExitCode,
    started_at_ms: record.startedAtMs,
    healthy_at_ms: record.healthyAtMs,
    restart_after_ms: record.restartAfterMs,
    updated_at_ms: record.updatedAtMs,
    runtime: record.runtime,
    limits: record.limits === null ? null : toJson(record.limits),
    last_exit_reason: record.lastExitReason,
  };
}

function toRecord(row: Selectable<InstanceTable>): InstanceRecord {
  return {
    id: row.id,
    appId: row.app_id,
    environmentId: row.environment_id,
    releaseId: row.release_id,
    deploymentId: row.deployment_id,
    process: row.process,
    state: row.state,
    host: row.host,
    port: row.port,
    pid: row.pid,
    restarts: row.restarts,
    lastExitCode: row.last_exit_code,
    startedAtMs: fromNullableBigInt(row.started_at_ms),
    healthyAtMs: fromNullableBigInt(row.healthy_at_ms),
    restartAfterMs: fromNullableBigInt(row.restart_after_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
    runtime: row.runtime,
    limits: row.limits === null ? null : fromJson<ResourceLimits>(row.limits),
    lastExitReason: row.last_exit_reason === 'oom-killed' ? 'oom-killed' : null,
  };
}
