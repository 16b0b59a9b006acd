/** A deployment's phases in SQL, appended in seq order and updated in place. */
import { SlipwayError } from '@slipway/contract';
import type { PhaseRecord, PhaseRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { atomically } from './atomically.js';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database, PhaseTable } from './database.js';

export function createPhaseRepository(db: Kysely<Database>): PhaseRepository {
  return {
    async append(record) {
      await atomically(db, async (trx) => {
        const last = await trx
          .selectFrom('phases')
          .select('seq')
          .where('deployment_id', '=', record.deploymentId)
          .orderBy('seq', 'desc')
          .executeTakeFirst();
        const expectedSeq = (last?.seq ?? 0) + 1;
        if (record.seq !== expectedSeq) {
          // A gap or a repeat means two writers drive the same deployment: a bug, not a user error.
          throw new SlipwayError('INTERNAL', `phase seq ${record.seq} does not follow the last one`, {
            details: { deploymentId: record.deploymentId, seq: record.seq, expectedSeq },
          });
        }
        await trx.insertInto('phases').values(toRow(record)).execute();
      });
    },
    async update(record) {
      const { deployment_id, seq, ...columns } = toRow(record);
      const result = await db
        .updateTable('phases')
        .set(columns)
        .where('deployment_id', '=', deployment_id)
        .where('seq', '=', seq)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new SlipwayError('INTERNAL', `deployment ${deployment_id} has no phase ${seq}`, {
          details: { deploymentId: deployment_id, seq },
        });
      }
    },
    async list(deploymentId) {
      const rows = await db
        .selectFrom('phases')
        .selectAll()
        .where('deployment_id', '=', deploymentId)
        .orderBy('seq')
        .execute();
      return rows.map(toRecord);
    },
  };
}

function toRow(record: PhaseRecord) {
  return {
    deployment_id: record.deploymentId,
    seq: record.seq,
    phase: record.phase,
    state: record.state,
    started_at_ms: record.startedAtMs,
    finished_at_ms: record.finishedAtMs,
    detail: record.detail,
  };
}

function toRecord(row: Selectable<PhaseTable>): PhaseRecord {
  return {
    deploymentId: row.deployment_id,
    seq: row.seq,
    phase: row.phase,
    state: row.state,
    startedAtMs: fromBigInt(row.started_at_ms),
    finishedAtMs: fromNullableBigInt(row.finished_at_ms),
    detail: row.detail,
  };
}
