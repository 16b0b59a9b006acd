/** The autoscaler's decisions in SQL: appended, pruned per process type to the newest `keep`. */
import type { AutoscaleDecision, AutoscaleDecisionRecord, AutoscaleDecisionRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, toJson } from './column-codec.js';
import type { AutoscaleDecisionTable } from './autoscale-tables.js';
import type { Database } from './database.js';

function toRecord(row: Selectable<AutoscaleDecisionTable>): AutoscaleDecisionRecord {
  return {
    id: row.id,
    appId: row.app_id,
    environmentId: row.environment_id,
    process: row.process,
    atMs: fromBigInt(row.at_ms),
    decision: fromJson<AutoscaleDecision>(row.decision),
  };
}

export function createAutoscaleDecisionRepository(db: Kysely<Database>): AutoscaleDecisionRepository {
  return {
    async insert(record, keep) {
      await db
        .insertInto('autoscale_decisions')
        .values({
          id: record.id,
          app_id: record.appId,
          environment_id: record.environmentId,
          process: record.process,
          at_ms: record.atMs,
          decision: toJson(record.decision),
        })
        .execute();
      const kept = db
        .selectFrom('autoscale_decisions')
        .select('id')
        .where('app_id', '=', record.appId)
        .where('environment_id', '=', record.environmentId)
        .where('process', '=', record.process)
        .orderBy('at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(keep);
      await db
        .deleteFrom('autoscale_decisions')
        .where('app_id', '=', record.appId)
        .where('environment_id', '=', record.environmentId)
        .where('process', '=', record.process)
        .where('id', 'not in', kept)
        .execute();
    },
    async list(appId, environmentId, options) {
      let query = db
        .selectFrom('autoscale_decisions')
        .selectAll()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId);
      if (options.process !== undefined) query = query.where('process', '=', options.process);
      const rows = await query.orderBy('at_ms', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
      return rows.map(toRecord);
    },
  };
}
