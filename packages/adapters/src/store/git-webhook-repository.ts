/**
 * The webhook inbox and repositories' webhook secrets in SQL. A delivery is inserted with `on conflict do nothing`
 * on (provider, delivery key), so a retry is refused by the database itself; leases are fenced by owner and attempt,
 * as in the job queue.
 */
import type {
  GitEvent,
  GitEventOutcome,
  GitProvider,
  GitWebhookRepository,
  WebhookDeliveryLease,
  WebhookDeliveryRecord,
  WebhookDeliveryState,
  WebhookSecretRecord,
} from '@slipway/core';
import { sql } from 'kysely';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { atomically } from './atomically.js';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { GitWebhookDeliveryTable, GitWebhookSecretTable } from './webhook-inbox-tables.js';

/** Under PostgreSQL another processor may take our candidate between select and update; try the next one. */
const leaseAttempts = 5;

export function createGitWebhookRepository(db: Kysely<Database>): GitWebhookRepository {
  const heldBy = (lease: WebhookDeliveryLease) =>
    db
      .updateTable('git_webhook_deliveries')
      .where('id', '=', lease.deliveryId)
      .where('state', '=', 'leased')
      .where('lease_owner', '=', lease.owner)
      .where('attempts', '=', lease.attempt);
  return {
    async findSecret(repositoryId) {
      const row = await db
        .selectFrom('git_webhook_secrets')
        .selectAll()
        .where('repository_id', '=', repositoryId)
        .executeTakeFirst();
      return row && toSecret(row);
    },
    async listSecrets() {
      const rows = await db.selectFrom('git_webhook_secrets').selectAll().orderBy('repository_id').execute();
      return rows.map(toSecret);
    },
    async putSecret(record) {
      const values = {
        data_key_id: record.dataKey.id,
        wrapped_key: record.dataKey.wrappedKey,
        master_key_id: record.dataKey.masterKeyId,
        current_version: record.current.version,
        current_sealed: JSON.stringify(record.current.sealed),
        previous_version: record.previous?.version ?? null,
        previous_sealed: record.previous === null ? null : JSON.stringify(record.previous.sealed),
        previous_until_ms: record.previous?.untilMs ?? null,
        rotated_at_ms: record.rotatedAtMs,
      };
      await db
        .insertInto('git_webhook_secrets')
        .values({ repository_id: record.repositoryId, ...values })
        .onConflict((oc) => oc.column('repository_id').doUpdateSet(values))
        .execute();
    },
    async deleteRepository(repositoryId) {
      await atomically(db, async (trx) => {
        await trx.deleteFrom('git_webhook_secrets').where('repository_id', '=', repositoryId).execute();
        await trx.deleteFrom('git_webhook_deliveries').where('repository_id', '=', repositoryId).execute();
      });
    },
    async insertDelivery(record) {
      const result = await db
        .insertInto('git_webhook_deliveries')
        .values(toDeliveryRow(record))
        .onConflict((oc) => oc.columns(['provider', 'delivery_key']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async findDelivery(provider, deliveryKey) {
      const row = await db
        .selectFrom('git_webhook_deliveries')
        .selectAll()
        .where('provider', '=', provider)
        .where('delivery_key', '=', deliveryKey)
        .executeTakeFirst();
      return row && toDelivery(row);
    },
    async leaseDelivery(owner, leaseMs, nowMs) {
      return atomically(db, async (trx) => {
        for (let attempt = 0; attempt < leaseAttempts; attempt += 1) {
          // Two queries, each answered by the (state, received_at_ms) index: one with an OR of both would scan the
          // whole inbox, handled deliveries included, on every lease.
          const oldest = (state: WebhookDeliveryState) =>
            trx
              .selectFrom('git_webhook_deliveries')
              .select(['id', 'received_at_ms'])
              .where('state', '=', state)
              .$if(state === 'leased', (query) => query.where('lease_until_ms', '<=', nowMs))
              .orderBy('received_at_ms')
              .orderBy('id')
              .limit(1)
              .executeTakeFirst();
          // The older of the two, so deliveries are handed over in the order they arrived.
          const [queued, expired] = [await oldest('queued'), await oldest('leased')];
          const candidate =
            queued === undefined || (expired !== undefined && isBefore(expired, queued)) ? expired : queued;
          if (candidate === undefined) return undefined;
          const leased = await trx
            .updateTable('git_webhook_deliveries')
            .set({
              state: 'leased',
              lease_owner: owner,
              lease_until_ms: nowMs + leaseMs,
              attempts: sql<number>`attempts + 1`,
            })
            .where('id', '=', candidate.id)
            .where(isLeasable(nowMs))
            .returningAll()
            .executeTakeFirst();
          if (leased !== undefined) return toDelivery(leased);
        }
        return undefined;
      });
    },
    async finishDelivery(lease, result) {
      const updated = await heldBy(lease)
        .set({
          state: 'done',
          lease_owner: null,
          lease_until_ms: null,
          outcome: result.outcome,
          reason: result.reason,
          deployment_ids: JSON.stringify(result.deploymentIds),
          processed_at_ms: result.processedAtMs,
        })
        .executeTakeFirst();
      return updated.numUpdatedRows > 0n;
    },
    async reclaimAbandoned(ownerPrefix, exceptOwner) {
      const leased = await db
        .selectFrom('git_webhook_deliveries')
        .select(['id', 'lease_owner'])
        .where('state', '=', 'leased')
        .execute();
      const abandoned = leased
        .filter((row) => row.lease_owner !== null && row.lease_owner !== exceptOwner)
        .filter((row) => row.lease_owner?.startsWith(ownerPrefix) === true)
        .map((row) => row.id);
      if (abandoned.length === 0) return 0;
      const result = await db
        .updateTable('git_webhook_deliveries')
        .set({ state: 'queued', lease_owner: null, lease_until_ms: null })
        .where('state', '=', 'leased')
        .where('id', 'in', abandoned)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async listDeliveries(repositoryId, limit) {
      const rows = await db
        .selectFrom('git_webhook_deliveries')
        .selectAll()
        .where('repository_id', '=', repositoryId)
        .orderBy('received_at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toDelivery);
    },
    async findPreviousHead(repositoryId, subject, exceptId) {
      const row = await db
        .selectFrom('git_webhook_deliveries')
        .select('head_sha')
        .where('repository_id', '=', repositoryId)
        .where('subject', '=', subject)
        .where('state', '=', 'done')
        .where('head_sha', 'is not', null)
        .where('id', '!=', exceptId)
        .orderBy('processed_at_ms', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row?.head_sha ?? undefined;
    },
  };
}

function isBefore(
  a: { id: string; received_at_ms: number | string },
  b: { id: string; received_at_ms: number | string },
): boolean {
  const [aMs, bMs] = [fromBigInt(a.received_at_ms), fromBigInt(b.received_at_ms)];
  return aMs < bMs || (aMs === bMs && a.id < b.id);
}

function isLeasable(nowMs: number) {
  return (eb: ExpressionBuilder<Database, 'git_webhook_deliveries'>) =>
    eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'leased'), eb('lease_until_ms', '<=', nowMs)])]);
}

function toSecret(row: Selectable<GitWebhookSecretTable>): WebhookSecretRecord {
  const previousUntil = fromNullableBigInt(row.previous_until_ms);
  return {
    repositoryId: row.repository_id,
    dataKey: { id: row.data_key_id, wrappedKey: row.wrapped_key, masterKeyId: row.master_key_id },
    current: {
      version: row.current_version,
      sealed: JSON.parse(row.current_sealed) as WebhookSecretRecord['current']['sealed'],
    },
    previous:
      row.previous_sealed === null || row.previous_version === null || previousUntil === null
        ? null
        : {
            version: row.previous_version,
            sealed: JSON.parse(row.previous_sealed) as WebhookSecretRecord['current']['sealed'],
            untilMs: previousUntil,
          },
    rotatedAtMs: fromBigInt(row.rotated_at_ms),
  };
}

function toDeliveryRow(record: WebhookDeliveryRecord) {
  return {
    id: record.id,
    repository_id: record.repositoryId,
    provider: record.provider,
    delivery_key: record.deliveryKey,
    event_name: record.eventName,
    state: record.state,
    events: JSON.stringify(record.events),
    subject: record.subject,
    head_sha: record.headSha,
    outcome: record.outcome,
    reason: record.reason,
    deployment_ids: JSON.stringify(record.deploymentIds),
    attempts: record.attempts,
    lease_owner: record.leaseOwner,
    lease_until_ms: record.leaseUntilMs,
    received_at_ms: record.receivedAtMs,
    processed_at_ms: record.processedAtMs,
  };
}

function toDelivery(row: Selectable<GitWebhookDeliveryTable>): WebhookDeliveryRecord {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    provider: row.provider as GitProvider,
    deliveryKey: row.delivery_key,
    eventName: row.event_name,
    state: row.state as WebhookDeliveryState,
    events: JSON.parse(row.events) as GitEvent[],
    subject: row.subject,
    headSha: row.head_sha,
    outcome: row.outcome as GitEventOutcome['outcome'] | null,
    reason: row.reason,
    deploymentIds: JSON.parse(row.deployment_ids) as string[],
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseUntilMs: fromNullableBigInt(row.lease_until_ms),
    receivedAtMs: fromBigInt(row.received_at_ms),
    processedAtMs: fromNullableBigInt(row.processed_at_ms),
  };
}
