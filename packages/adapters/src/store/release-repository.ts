/** Releases in SQL, numbered per app environment by a counter that only grows, so numbers are never reused. */
import { SlipwayError } from '@slipway/contract';
import { configVarsOf, type ReleaseImage, type ReleaseRecord, type ReleaseRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { atomically } from './atomically.js';
import { fromBigInt, fromJson, toJson } from './column-codec.js';
import type { Database, ReleaseTable } from './database.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

export function createReleaseRepository(db: Kysely<Database>): ReleaseRepository {
  const select = () => db.selectFrom('releases').selectAll();
  return {
    async insert(record) {
      await atomically(db, async (trx) => {
        const lastNumber = await readLastNumber(trx, record.appId, record.environmentId);
        if (record.number <= lastNumber) throw numberTaken(record, lastNumber);
        try {
          await trx.insertInto('releases').values(toRow(record)).execute();
        } catch (error) {
          // A concurrent writer (PostgreSQL) took the same number between our read and our insert.
          if (isUniqueViolation(error, uniqueConstraints.releaseNumber)) throw numberTaken(record, lastNumber, error);
          throw error;
        }
        await trx
          .insertInto('release_counters')
          .values({ app_id: record.appId, environment_id: record.environmentId, last_number: record.number })
          .onConflict((conflict) =>
            conflict.columns(['app_id', 'environment_id']).doUpdateSet({ last_number: record.number }),
          )
          .execute();
      });
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async listByIds(ids) {
      const rows: Selectable<ReleaseTable>[] = [];
      // Bound the statement's parameters (SQLite allows 32,766; PostgreSQL 65,535).
      for (let at = 0; at < ids.length; at += 500) {
        rows.push(
          ...(await select()
            .where('id', 'in', ids.slice(at, at + 500))
            .execute()),
        );
      }
      return rows.map(toRecord);
    },
    async findByNumber(appId, environmentId, number) {
      const row = await select()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .where('number', '=', number)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async list(appId, environmentId) {
      const rows = await select()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .orderBy('number', 'desc')
        .execute();
      return rows.map(toRecord);
    },
    async nextNumber(appId, environmentId) {
      return 1 + (await readLastNumber(db, appId, environmentId));
    },
    async delete(id) {
      await db.deleteFrom('releases').where('id', '=', id).execute();
    },
  };
}

async function readLastNumber(db: Kysely<Database>, appId: string, environmentId: string): Promise<number> {
  const counter = await db
    .selectFrom('release_counters')
    .select('last_number')
    .where('app_id', '=', appId)
    .where('environment_id', '=', environmentId)
    .executeTakeFirst();
  return counter?.last_number ?? 0;
}

function numberTaken(record: ReleaseRecord, lastNumber: number, cause?: unknown): SlipwayError {
  return new SlipwayError(
    'VERSION_CONFLICT',
    `release number ${record.number} is already used; take nextNumber again`,
    {
      details: { appId: record.appId, environmentId: record.environmentId, number: record.number, lastNumber },
      cause,
    },
  );
}

function toRow(record: ReleaseRecord) {
  return {
    id: record.id,
    app_id: record.appId,
    environment_id: record.environmentId,
    number: record.number,
    artifact_dir: record.artifactDir,
    builder: record.builder,
    source: toJson(record.source),
    processes: toJson(record.processes),
    manifest: toJson(record.manifest),
    config: toJson(record.config),
    config_vars: toJson(record.configVars),
    runtime_prefix: record.runtimePrefix,
    created_at_ms: record.createdAtMs,
    image: record.image === null ? null : toJson(record.image),
  };
}

function toRecord(row: Selectable<ReleaseTable>): ReleaseRecord {
  return {
    id: row.id,
    appId: row.app_id,
    environmentId: row.environment_id,
    number: row.number,
    artifactDir: row.artifact_dir,
    builder: row.builder,
    source: fromJson<ReleaseRecord['source']>(row.source),
    processes: fromJson<ReleaseRecord['processes']>(row.processes),
    manifest: fromJson<ReleaseRecord['manifest']>(row.manifest),
    config: fromJson<ReleaseRecord['config']>(row.config),
    configVars:
      row.config_vars === null
        ? configVarsOf(fromJson<ReleaseRecord['config']>(row.config), fromJson<ReleaseRecord['manifest']>(row.manifest))
        : fromJson<ReleaseRecord['configVars']>(row.config_vars),
    runtimePrefix: row.runtime_prefix,
    createdAtMs: fromBigInt(row.created_at_ms),
    image: row.image === null ? null : fromJson<ReleaseImage>(row.image),
  };
}
