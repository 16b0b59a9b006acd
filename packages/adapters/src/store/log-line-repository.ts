/** The persisted log lines in SQL: appended in batches, read by app with filters, pruned by age and by size. */
import type { LogLineRecord, LogLineRepository } from '@slipway/core';
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { LogLineTable } from './log-tables.js';

const utf8 = new TextEncoder();

export function createLogLineRepository(db: Kysely<Database>): LogLineRepository {
  return {
    async append(lines) {
      const stored: LogLineRecord[] = [];
      for (const line of lines) {
        const row = await db
          .insertInto('log_lines')
          .values({
            app_id: line.appId,
            environment: line.environment,
            source: line.source,
            process: line.process,
            instance_id: line.instanceId,
            stream: line.stream,
            line: line.line,
            at_ms: line.atMs,
            size_bytes: utf8.encode(line.line).byteLength,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        stored.push({ ...line, id: fromBigInt(row.id) });
      }
      return stored;
    },
    async list(query) {
      let select = db.selectFrom('log_lines').selectAll().where('app_id', '=', query.appId);
      if (query.environment !== undefined) select = select.where('environment', '=', query.environment);
      if (query.process !== undefined) select = select.where('process', '=', query.process);
      if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
      if (query.sinceMs !== undefined) select = select.where('at_ms', '>=', query.sinceMs);
      if (query.untilMs !== undefined) select = select.where('at_ms', '<', query.untilMs);
      // instr, not LIKE: case-sensitive, and no character of the text is a wildcard.
      if (query.grep !== undefined) select = select.where(sql<number>`instr(line, ${query.grep})`, '>', 0);
      const rows = await select.orderBy('id', query.order).limit(query.limit).execute();
      return rows.map(toRecord);
    },
    async listAfter(afterId, limit, appIds) {
      if (appIds !== undefined && appIds.length === 0) return [];
      let select = db.selectFrom('log_lines').selectAll().where('id', '>', afterId);
      if (appIds !== undefined) select = select.where('app_id', 'in', appIds);
      const rows = await select.orderBy('id').limit(limit).execute();
      return rows.map(toRecord);
    },
    async countAfter(afterId, appIds, limit) {
      if (appIds.length === 0) return 0;
      // Counted over the first `limit` ids only: the index on (app_id, id) bounds the work however far behind.
      const row = await db
        .selectFrom((qb) =>
          qb
            .selectFrom('log_lines')
            .select('id')
            .where('id', '>', afterId)
            .where('app_id', 'in', appIds)
            .limit(limit)
            .as('pending'),
        )
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async lastOfInstance(instanceId, stream, count) {
      const rows = await db
        .selectFrom('log_lines')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('stream', '=', stream)
        .orderBy('id', 'desc')
        .limit(count)
        .execute();
      return rows.map(toRecord).reverse();
    },
    async lastId() {
      const row = await db
        .selectFrom('sqlite_sequence' as never)
        .select(sql<number>`seq`.as('seq'))
        .where(sql`name`, '=', 'log_lines')
        .executeTakeFirst();
      return row === undefined ? 0 : fromBigInt(row.seq);
    },
    async usage() {
      const rows = await db
        .selectFrom('log_lines')
        .select(['app_id', sql<number>`sum(size_bytes)`.as('size_bytes'), sql<number>`count(*)`.as('lines')])
        .groupBy('app_id')
        .execute();
      return rows.map((r) => ({ appId: r.app_id, sizeBytes: fromBigInt(r.size_bytes), lines: fromBigInt(r.lines) }));
    },
    async pruneBefore(appId, beforeMs) {
      const result = await db
        .deleteFrom('log_lines')
        .where('app_id', '=', appId)
        .where('at_ms', '<', beforeMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async pruneToSize(appId, maxBytes) {
      // The newest line whose running total (newest first) passes the budget: it and every older line go.
      const cut = await sql<{ id: number }>`
        select id from (
          select id, sum(size_bytes) over (order by id desc) as running
          from log_lines where app_id = ${appId}
        ) where running > ${maxBytes} order by id desc limit 1`.execute(db);
      const first = cut.rows[0];
      if (first === undefined) return 0;
      const result = await db
        .deleteFrom('log_lines')
        .where('app_id', '=', appId)
        .where('id', '<=', fromBigInt(first.id))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRecord(row: Selectable<LogLineTable>): LogLineRecord {
  return {
    id: fromBigInt(row.id),
    appId: row.app_id,
    environment: row.environment,
    source: row.source,
    process: row.process,
    instanceId: row.instance_id,
    stream: row.stream,
    line: row.line,
    atMs: fromBigInt(row.at_ms),
  };
}
