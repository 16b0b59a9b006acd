/** Notification targets, the delivery outbox and its attempts in SQL; dialect-neutral. */
import { SlipwayError } from '@slipway/contract';
import type {
  DeliveryEvent,
  NotificationAttemptRecord,
  NotificationDeliveryRecord,
  NotificationRepository,
  NotificationTargetRecord,
} from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, fromNullableBigInt, toJson } from './column-codec.js';
import type { Database } from './database.js';
import type { NotificationDeliveryTable, NotificationTargetTable } from './notification-tables.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

export function createNotificationRepository(db: Kysely<Database>): NotificationRepository {
  const targets = () => db.selectFrom('notification_targets').selectAll();
  const deliveries = () => db.selectFrom('notification_deliveries').selectAll();
  return {
    async insertTarget(record) {
      await db
        .insertInto('notification_targets')
        .values({
          id: record.id,
          project_id: record.projectId,
          environment_id: record.environmentId,
          kind: record.kind,
          destination: record.destination,
          events: toJson(record.events),
          data_key_id: record.sealed?.dataKeyId ?? null,
          wrapped_key: record.sealed?.wrappedKey ?? null,
          master_key_id: record.sealed?.masterKeyId ?? null,
          nonce: record.sealed?.nonce ?? null,
          ciphertext: record.sealed?.ciphertext ?? null,
          created_at_ms: record.createdAtMs,
        })
        .execute();
    },
    async findTarget(id) {
      const row = await targets().where('id', '=', id).executeTakeFirst();
      return row && toTarget(row);
    },
    async listTargets(projectId) {
      let query = targets();
      if (projectId !== undefined) query = query.where('project_id', '=', projectId);
      const rows = await query.orderBy('created_at_ms').orderBy('id').execute();
      return rows.map(toTarget);
    },
    async listTargetsNotWrappedBy(masterKeyId, limit) {
      const rows = await targets()
        .where('master_key_id', 'is not', null)
        .where('master_key_id', '!=', masterKeyId)
        .orderBy('created_at_ms')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toTarget);
    },
    async rewrapTarget(id, expectedMasterKeyId, wrapped) {
      const result = await db
        .updateTable('notification_targets')
        .set({ wrapped_key: wrapped.wrappedKey, master_key_id: wrapped.masterKeyId })
        .where('id', '=', id)
        .where('master_key_id', '=', expectedMasterKeyId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async deleteTarget(id) {
      const result = await db.deleteFrom('notification_targets').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async insertDelivery(record) {
      try {
        await db.insertInto('notification_deliveries').values(toDeliveryRow(record)).execute();
      } catch (error) {
        if (isUniqueViolation(error, uniqueConstraints.notificationDelivery)) {
          throw new SlipwayError('VERSION_CONFLICT', `notification delivery ${record.id} exists`);
        }
        throw error;
      }
    },
    async findDelivery(id) {
      const row = await deliveries().where('id', '=', id).executeTakeFirst();
      return row && toDelivery(row);
    },
    async updateDelivery(record) {
      const { id, ...rest } = toDeliveryRow(record);
      await db.updateTable('notification_deliveries').set(rest).where('id', '=', id).execute();
    },
    async listDue(nowMs, limit) {
      const rows = await deliveries()
        .where('state', '=', 'pending')
        .where('next_attempt_at_ms', '<=', nowMs)
        .orderBy('next_attempt_at_ms')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toDelivery);
    },
    async findNextDueAtMs() {
      const row = await db
        .selectFrom('notification_deliveries')
        .select((eb) => eb.fn.min('next_attempt_at_ms').as('next'))
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return row?.next === null || row?.next === undefined ? undefined : fromBigInt(row.next);
    },
    async listDeliveries(filter) {
      let query = deliveries();
      if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
      if (filter.state !== undefined) query = query.where('state', '=', filter.state);
      const rows = await query.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
      return rows.map(toDelivery);
    },
    async appendAttempt(record) {
      try {
        await db
          .insertInto('notification_attempts')
          .values({
            delivery_id: record.deliveryId,
            seq: record.seq,
            at_ms: record.atMs,
            outcome: record.outcome,
            detail: record.detail,
            duration_ms: record.durationMs,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error, uniqueConstraints.notificationAttempt)) {
          throw new SlipwayError(
            'VERSION_CONFLICT',
            `attempt ${record.seq} of notification delivery ${record.deliveryId} exists`,
          );
        }
        throw error;
      }
    },
    async listAttempts(deliveryIds) {
      if (deliveryIds.length === 0) return [];
      const rows = await db
        .selectFrom('notification_attempts')
        .selectAll()
        .where('delivery_id', 'in', [...deliveryIds])
        .orderBy('delivery_id')
        .orderBy('seq')
        .execute();
      return rows.map((row): NotificationAttemptRecord => ({
        deliveryId: row.delivery_id,
        seq: row.seq,
        atMs: fromBigInt(row.at_ms),
        outcome: row.outcome,
        detail: row.detail,
        durationMs: fromBigInt(row.duration_ms),
      }));
    },
  };
}

function toTarget(row: Selectable<NotificationTargetTable>): NotificationTargetRecord {
  const isSealed =
    row.data_key_id !== null &&
    row.wrapped_key !== null &&
    row.master_key_id !== null &&
    row.nonce !== null &&
    row.ciphertext !== null;
  return {
    id: row.id,
    projectId: row.project_id,
    environmentId: row.environment_id,
    kind: row.kind,
    destination: row.destination,
    events: fromJson(row.events),
    sealed: isSealed
      ? {
          dataKeyId: row.data_key_id as string,
          wrappedKey: row.wrapped_key as string,
          masterKeyId: row.master_key_id as string,
          nonce: row.nonce as string,
          ciphertext: row.ciphertext as string,
        }
      : null,
    createdAtMs: fromBigInt(row.created_at_ms),
  };
}

function toDeliveryRow(record: NotificationDeliveryRecord) {
  return {
    id: record.id,
    target_id: record.targetId,
    target_kind: record.targetKind,
    destination: record.destination,
    project_id: record.projectId,
    event_id: record.event.id,
    event_kind: record.event.kind,
    event: toJson(record.event),
    state: record.state,
    attempts: record.attempts,
    next_attempt_at_ms: record.nextAttemptAtMs,
    created_at_ms: record.createdAtMs,
    updated_at_ms: record.updatedAtMs,
  };
}

function toDelivery(row: Selectable<NotificationDeliveryTable>): NotificationDeliveryRecord {
  return {
    id: row.id,
    targetId: row.target_id,
    targetKind: row.target_kind,
    destination: row.destination,
    projectId: row.project_id,
    event: fromJson<DeliveryEvent>(row.event),
    state: row.state,
    attempts: row.attempts,
    nextAttemptAtMs: fromNullableBigInt(row.next_attempt_at_ms),
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}
