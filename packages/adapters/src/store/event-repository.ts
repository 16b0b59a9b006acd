/** Deployment events in SQL, numbered by one global counter so readers can resume after the last seq they saw. */
import type { EventRecord, EventRepository } from '@slipway/core';
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { atomically } from './atomically.js';
import { fromBigInt, fromJson, toJson } from './column-codec.js';
import type { Database, EventTable } from './database.js';

const seqCounter = 'event_seq';

export function createEventRepository(db: Kysely<Database>): EventRepository {
  return {
    async append(event) {
      return atomically(db, async (trx) => {
        // The counter row stays locked until commit, so seqs become visible in order (no late lower seq for
        // a reader that already moved past it) on PostgreSQL as on SQLite.
        const counter = await trx
          .insertInto('counters')
          .values({ name: seqCounter, value: 1 })
          .onConflict((conflict) => conflict.column('name').doUpdateSet({ value: sql<number>`counters.value + 1` }))
          .returning('value')
          .executeTakeFirstOrThrow();
        const stored: EventRecord = {
          seq: fromBigInt(counter.value),
          deploymentId: event.deploymentId,
          type: event.type,
          payload: event.payload,
          atMs: event.atMs,
        };
        await trx
          .insertInto('events')
          .values({
            seq: stored.seq,
            deployment_id: stored.deploymentId,
            type: stored.type,
            payload: toJson(stored.payload),
            at_ms: stored.atMs,
          })
          .execute();
        return stored;
      });
    },
    async list(deploymentId, afterSeq, limit) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('deployment_id', '=', deploymentId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
  };
}

function toRecord(row: Selectable<EventTable>): EventRecord {
  return {
    seq: fromBigInt(row.seq),
    deploymentId: row.deployment_id,
    type: row.type,
    payload: fromJson<EventRecord['payload']>(row.payload),
    atMs: fromBigInt(row.at_ms),
  };
}
