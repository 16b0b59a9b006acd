/** Routes in SQL, replaced as a whole per app environment so the routing table never sees half a change. */
import { SlipwayError } from '@slipway/contract';
import type { RouteRecord, RouteRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { atomically } from './atomically.js';
import type { Database, RouteTable } from './database.js';

export function createRouteRepository(db: Kysely<Database>): RouteRepository {
  // Host, then path prefix: a stable order for listings and routing-table diffs.
  const select = () => db.selectFrom('routes').selectAll().orderBy('host').orderBy('path_prefix').orderBy('id');
  return {
    async replaceForApp(appId, environmentId, routes) {
      const stray = routes.find((route) => route.appId !== appId || route.environmentId !== environmentId);
      if (stray !== undefined) {
        throw new SlipwayError('INTERNAL', `route ${stray.id} belongs to another app environment`, {
          details: { routeId: stray.id, appId, environmentId },
        });
      }
      await atomically(db, async (trx) => {
        await trx
          .deleteFrom('routes')
          .where('app_id', '=', appId)
          .where('environment_id', '=', environmentId)
          .execute();
        if (routes.length > 0) await trx.insertInto('routes').values(routes.map(toRow)).execute();
      });
    },
    async list() {
      const rows = await select().execute();
      return rows.map(toRecord);
    },
    async listByApp(appId, environmentId) {
      const rows = await select().where('app_id', '=', appId).where('environment_id', '=', environmentId).execute();
      return rows.map(toRecord);
    },
  };
}

function toRow(record: RouteRecord) {
  return {
    id: record.id,
    app_id: record.appId,
    environment_id: record.environmentId,
    host: record.host,
    path_prefix: record.pathPrefix,
    process: record.process,
    timeout_ms: record.timeoutMs,
    origin: record.origin,
  };
}

function toRecord(row: Selectable<RouteTable>): RouteRecord {
  return {
    id: row.id,
    appId: row.app_id,
    environmentId: row.environment_id,
    host: row.host,
    pathPrefix: row.path_prefix,
    process: row.process,
    timeoutMs: row.timeout_ms,
    origin: row.origin,
  };
}
