/** The audit log in SQL: records keyed by seq (so a second record with the same seq is refused) and the checkpoint. */
import { SlipwayError } from '@slipway/contract';
import type { AuditRecord, AuditRepository } from '@slipway/core';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { atomically } from './atomically.js';
import { fromBigInt, fromJson, toJson } from './column-codec.js';
import type { AuditRecordTable } from './audit-tables.js';
import type { Database } from './database.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

const anchorName = 'anchor';

export function createAuditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async insert(record) {
      try {
        await db.insertInto('audit_records').values(toRow(record)).execute();
      } catch (error) {
        if (isUniqueViolation(error, uniqueConstraints.auditSeq)) {
          throw new SlipwayError(
            'VERSION_CONFLICT',
            `audit record ${record.seq} exists: another writer appended first`,
          );
        }
        throw error;
      }
    },
    async findLast() {
      const row = await db.selectFrom('audit_records').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async list(filter) {
      let query = db.selectFrom('audit_records').selectAll();
      if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
      if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
      if (filter.sinceMs !== undefined) query = query.where('at_ms', '>=', filter.sinceMs);
      if (filter.untilMs !== undefined) query = query.where('at_ms', '<', filter.untilMs);
      const { actor, action } = filter;
      if (actor !== undefined) {
        query = query.where((eb) =>
          eb.or([eb('actor_name', '=', actor), eb('actor_user_id', '=', actor), eb('actor_credential_id', '=', actor)]),
        );
      }
      if (action !== undefined) {
        query = action.endsWith('.')
          ? query.where('action', '>=', action).where('action', '<', `${action.slice(0, -1)}/`)
          : query.where('action', '=', action);
      }
      const rows = await query
        .orderBy('seq', filter.order === 'newest-first' ? 'desc' : 'asc')
        .limit(filter.limit)
        .execute();
      return rows.map(toRecord);
    },
    async findLastSeqBefore(beforeMs) {
      const row = await db
        .selectFrom('audit_records')
        .select('seq')
        .where('at_ms', '<', beforeMs)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : fromBigInt(row.seq);
    },
    async findCheckpoint() {
      const row = await db
        .selectFrom('audit_checkpoints')
        .selectAll()
        .where('name', '=', anchorName)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { seq: fromBigInt(row.seq), hash: row.hash, prunedAtMs: fromBigInt(row.pruned_at_ms) };
    },
    async prune(checkpoint) {
      return atomically(db, async (trx) => {
        const deleted = await trx.deleteFrom('audit_records').where('seq', '<=', checkpoint.seq).executeTakeFirst();
        const values = { seq: checkpoint.seq, hash: checkpoint.hash, pruned_at_ms: checkpoint.prunedAtMs };
        await trx
          .insertInto('audit_checkpoints')
          .values({ name: anchorName, ...values })
          .onConflict((conflict) => conflict.column('name').doUpdateSet(values))
          .execute();
        return Number(deleted.numDeletedRows);
      });
    },
  };
}

function toRow(record: AuditRecord): Insertable<AuditRecordTable> {
  return {
    seq: record.seq,
    at_ms: record.atMs,
    kind: record.kind,
    actor_kind: record.actor.kind,
    actor_user_id: record.actor.userId,
    actor_name: record.actor.name,
    actor_credential_kind: record.actor.credentialKind,
    actor_credential_id: record.actor.credentialId,
    action: record.action,
    target_kind: record.target?.kind ?? null,
    target_id: record.target?.id ?? null,
    source_ip: record.sourceIp,
    request_id: record.requestId,
    outcome: record.outcome,
    error_code: record.errorCode,
    details: toJson(record.details),
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

function toRecord(row: Selectable<AuditRecordTable>): AuditRecord {
  return {
    seq: fromBigInt(row.seq),
    atMs: fromBigInt(row.at_ms),
    kind: row.kind,
    actor: {
      kind: row.actor_kind,
      userId: row.actor_user_id,
      name: row.actor_name,
      credentialKind: row.actor_credential_kind,
      credentialId: row.actor_credential_id,
    },
    action: row.action,
    target: row.target_kind === null || row.target_id === null ? null : { kind: row.target_kind, id: row.target_id },
    sourceIp: row.source_ip,
    requestId: row.request_id,
    outcome: row.outcome,
    errorCode: row.error_code,
    details: fromJson<Record<string, unknown>>(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
