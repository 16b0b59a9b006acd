/** An app's desired state per environment in SQL, guarded by optimistic concurrency on `version`. */
import { SlipwayError } from '@slipway/contract';
import type { AppEnvironmentRecord, AppEnvironmentRepository, MaintenanceSettings } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, toJson } from './column-codec.js';
import type { AppEnvironmentTable, Database } from './database.js';

export function createAppEnvironmentRepository(db: Kysely<Database>): AppEnvironmentRepository {
  const select = () => db.selectFrom('app_environments').selectAll();
  const find = async (appId: string, environmentId: string) => {
    const row = await select()
      .where('app_id', '=', appId)
      .where('environment_id', '=', environmentId)
      .executeTakeFirst();
    return row && toRecord(row);
  };
  return {
    async insert(record) {
      await db
        .insertInto('app_environments')
        .values({
          app_id: record.appId,
          environment_id: record.environmentId,
          current_release_id: record.currentReleaseId,
          scale: toJson(record.scale),
          config: toJson(record.config),
          run_state: record.runState,
          maintenance: record.maintenance === null ? null : toJson(record.maintenance),
          version: record.version,
          updated_at_ms: record.updatedAtMs,
        })
        .execute();
    },
    find,
    async listByApp(appId) {
      const rows = await select().where('app_id', '=', appId).orderBy('environment_id').execute();
      return rows.map(toRecord);
    },
    async list() {
      const rows = await select().orderBy('app_id').orderBy('environment_id').execute();
      return rows.map(toRecord);
    },
    async delete(appId, environmentId) {
      // Children first: the tables under a deployment or a release go with them (ON DELETE CASCADE); secrets before
      // the data keys that seal them.
      const tables = [
        'deployments',
        'releases',
        'release_counters',
        'instances',
        'routes',
        'secrets',
        'data_keys',
        'environment_strategies',
        'approval_policies',
        'app_environments',
      ] as const;
      for (const table of tables) {
        await db.deleteFrom(table).where('app_id', '=', appId).where('environment_id', '=', environmentId).execute();
      }
    },
    async update(record) {
      const stored: AppEnvironmentRecord = { ...record, version: record.version + 1 };
      const result = await db
        .updateTable('app_environments')
        .set({
          current_release_id: stored.currentReleaseId,
          scale: toJson(stored.scale),
          config: toJson(stored.config),
          run_state: stored.runState,
          maintenance: stored.maintenance === null ? null : toJson(stored.maintenance),
          version: stored.version,
          updated_at_ms: stored.updatedAtMs,
        })
        .where('app_id', '=', record.appId)
        .where('environment_id', '=', record.environmentId)
        .where('version', '=', record.version)
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) return stored;

      const current = await find(record.appId, record.environmentId);
      const details = { appId: record.appId, environmentId: record.environmentId };
      if (current === undefined) {
        throw new SlipwayError('APP_NOT_FOUND', 'the app is not set up in this environment', { details });
      }
      throw new SlipwayError('VERSION_CONFLICT', 'the app environment changed since it was read; read it again', {
        details: { ...details, expectedVersion: record.version, storedVersion: current.version },
      });
    },
  };
}

function toRecord(row: Selectable<AppEnvironmentTable>): AppEnvironmentRecord {
  return {
    appId: row.app_id,
    environmentId: row.environment_id,
    currentReleaseId: row.current_release_id,
    scale: fromJson<Record<string, number>>(row.scale),
    config: fromJson<Record<string, string>>(row.config),
    runState: row.run_state === 'stopped' ? 'stopped' : 'running',
    maintenance: row.maintenance === null ? null : fromJson<MaintenanceSettings>(row.maintenance),
    version: row.version,
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}
