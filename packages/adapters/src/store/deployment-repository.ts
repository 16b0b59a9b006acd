/** Deployments in SQL: one row per attempt to change what runs, replaced whole on update. */
import { SlipwayError } from '@slipway/contract';
import type { DeploymentRecord, DeploymentRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, fromNullableBigInt, fromNullableJson, toJson, toNullableJson } from './column-codec.js';
import type { Database, DeploymentTable } from './database.js';

const activeStates = ['pending', 'running'] as const;

export function createDeploymentRepository(db: Kysely<Database>): DeploymentRepository {
  const select = () => db.selectFrom('deployments').selectAll();
  const selectOf = (appId: string, environmentId: string) =>
    select().where('app_id', '=', appId).where('environment_id', '=', environmentId);
  return {
    async insert(record) {
      await db.insertInto('deployments').values(toRow(record)).execute();
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async update(record) {
      // The cancel request is left as stored: only `requestCancellation` writes it; the author is written once.
      const {
        id,
        cancel_requested_by: _by,
        cancel_requested_at_ms: _at,
        requested_by: _author,
        ...columns
      } = toRow(record);
      const result = await db.updateTable('deployments').set(columns).where('id', '=', id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new SlipwayError('DEPLOYMENT_NOT_FOUND', `deployment ${id} does not exist`, { details: { id } });
      }
    },
    async requestCancellation(id, cancellation) {
      const result = await db
        .updateTable('deployments')
        .set({ cancel_requested_by: cancellation.by, cancel_requested_at_ms: cancellation.requestedAtMs })
        .where('id', '=', id)
        .where('state', 'in', activeStates)
        .where('cancel_requested_by', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async list(appId, environmentId, limit) {
      const rows = await selectOf(appId, environmentId)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
    async findActive(appId, environmentId) {
      const row = await selectOf(appId, environmentId)
        .where('state', 'in', activeStates)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async listByState(states) {
      if (states.length === 0) return [];
      // Oldest first: recovery after a restart resumes deployments in the order they were asked for.
      const rows = await select().where('state', 'in', states).orderBy('created_at_ms').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async listLatestOfEnvironment(environmentId) {
      // The newest of each app: no later one of the same app and environment exists (ties broken by id, as `list`
      // orders). The (app, environment, created) index answers the inner lookup.
      const rows = await db
        .selectFrom('deployments as d')
        .selectAll('d')
        .where('d.environment_id', '=', environmentId)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('deployments as n')
                .select('n.id')
                .whereRef('n.app_id', '=', 'd.app_id')
                .whereRef('n.environment_id', '=', 'd.environment_id')
                .where((inner) =>
                  inner.or([
                    inner('n.created_at_ms', '>', inner.ref('d.created_at_ms')),
                    inner.and([
                      inner('n.created_at_ms', '=', inner.ref('d.created_at_ms')),
                      inner('n.id', '>', inner.ref('d.id')),
                    ]),
                  ]),
                ),
            ),
          ),
        )
        .execute();
      return rows.map(toRecord);
    },
    async countByState() {
      const rows = await db
        .selectFrom('deployments')
        .select(['app_id', 'environment_id', 'state', (eb) => eb.fn.countAll<number | string | bigint>().as('count')])
        .groupBy(['app_id', 'environment_id', 'state'])
        .execute();
      return rows.map((row) => ({
        appId: row.app_id,
        environmentId: row.environment_id,
        state: row.state,
        count: Number(row.count),
      }));
    },
  };
}

function toRow(record: DeploymentRecord) {
  return {
    id: record.id,
    app_id: record.appId,
    environment_id: record.environmentId,
    kind: record.kind,
    state: record.state,
    phase: record.phase,
    source: toJson(record.source),
    source_view: toNullableJson(record.sourceView),
    release_id: record.releaseId,
    previous_release_id: record.previousReleaseId,
    config: toNullableJson(record.config),
    failure: toNullableJson(record.failure),
    cancel_requested_by: record.cancellation?.by ?? null,
    cancel_requested_at_ms: record.cancellation?.requestedAtMs ?? null,
    requested_by: record.requestedBy ?? null,
    created_at_ms: record.createdAtMs,
    updated_at_ms: record.updatedAtMs,
    finished_at_ms: record.finishedAtMs,
  };
}

function toRecord(row: Selectable<DeploymentTable>): DeploymentRecord {
  return {
    id: row.id,
    appId: row.app_id,
    environmentId: row.environment_id,
    kind: row.kind,
    state: row.state,
    phase: row.phase,
    source: fromJson<DeploymentRecord['source']>(row.source),
    sourceView: fromNullableJson<NonNullable<DeploymentRecord['sourceView']>>(row.source_view),
    releaseId: row.release_id,
    previousReleaseId: row.previous_release_id,
    config: fromNullableJson<NonNullable<DeploymentRecord['config']>>(row.config),
    failure: fromNullableJson<NonNullable<DeploymentRecord['failure']>>(row.failure),
    cancellation:
      row.cancel_requested_by === null
        ? null
        : { by: row.cancel_requested_by, requestedAtMs: fromNullableBigInt(row.cancel_requested_at_ms) ?? 0 },
    ...(row.requested_by === null ? {} : { requestedBy: row.requested_by }),
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
    finishedAtMs: fromNullableBigInt(row.finished_at_ms),
  };
}
