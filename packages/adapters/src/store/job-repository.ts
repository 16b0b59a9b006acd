/**
 * The job queue in SQL: leases with an owner, an attempt number and an expiry, so a crashed worker's job is taken
 * again and a run that lost its lease (to another worker or another attempt) is fenced out of every later write.
 */
import type { JobLease, JobRecord, JobRepository } from '@slipway/core';
import { sql } from 'kysely';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { atomically } from './atomically.js';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database, JobTable } from './database.js';

/** Under PostgreSQL another worker may take our candidate between select and update; try the next one. */
const leaseAttempts = 5;

export function createJobRepository(db: Kysely<Database>): JobRepository {
  /** The fence: the job is still leased by this owner at this attempt (a later lease has incremented `attempts`). */
  const heldBy = (lease: JobLease) =>
    db
      .updateTable('jobs')
      .where('id', '=', lease.jobId)
      .where('state', '=', 'leased')
      .where('lease_owner', '=', lease.owner)
      .where('attempts', '=', lease.attempt);
  return {
    async enqueue(record) {
      await db.insertInto('jobs').values(toRow(record)).execute();
    },
    async lease(owner, leaseMs, nowMs, exceptJobIds = []) {
      return atomically(db, async (trx) => {
        for (let attempt = 0; attempt < leaseAttempts; attempt += 1) {
          const candidate = await trx
            .selectFrom('jobs')
            .select('id')
            .where(isLeasable(nowMs))
            .$if(exceptJobIds.length > 0, (query) => query.where('id', 'not in', [...exceptJobIds]))
            .orderBy('created_at_ms')
            .orderBy('id')
            .executeTakeFirst();
          if (candidate === undefined) return undefined;
          const leased = await trx
            .updateTable('jobs')
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
          if (leased !== undefined) return toRecord(leased);
        }
        return undefined;
      });
    },
    async renew(lease, leaseUntilMs) {
      const result = await heldBy(lease).set({ lease_until_ms: leaseUntilMs }).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async isHeld(lease) {
      const row = await db
        .selectFrom('jobs')
        .select('id')
        .where('id', '=', lease.jobId)
        .where('state', '=', 'leased')
        .where('lease_owner', '=', lease.owner)
        .where('attempts', '=', lease.attempt)
        .executeTakeFirst();
      return row !== undefined;
    },
    async finish(lease, outcome) {
      await heldBy(lease)
        .set({
          state: outcome.state,
          lease_owner: null,
          lease_until_ms: null,
          ...(outcome.error === undefined ? {} : { last_error: outcome.error }),
        })
        .execute();
    },
    async cancelQueued(deploymentId) {
      const result = await db
        .updateTable('jobs')
        .set({ state: 'done', last_error: 'cancelled' })
        .where('deployment_id', '=', deploymentId)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async release(lease, runAfterMs, error) {
      await heldBy(lease)
        .set({ state: 'queued', lease_owner: null, lease_until_ms: null, run_after_ms: runAfterMs, last_error: error })
        .execute();
    },
    async countByState() {
      const rows = await db
        .selectFrom('jobs')
        .select(['state', (eb) => eb.fn.countAll<number | string | bigint>().as('count')])
        .groupBy('state')
        .execute();
      return rows.map((row) => ({ state: row.state, count: Number(row.count) }));
    },
    async findByDeployment(deploymentId) {
      // A deployment has one job; should there ever be several, the newest speaks for it.
      const row = await db
        .selectFrom('jobs')
        .selectAll()
        .where('deployment_id', '=', deploymentId)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && toRecord(row);
    },
  };
}

/** Queued and due, or leased with a lease that has run out. */
function isLeasable(nowMs: number) {
  return (eb: ExpressionBuilder<Database, 'jobs'>) =>
    eb.or([
      eb.and([eb('state', '=', 'queued'), eb('run_after_ms', '<=', nowMs)]),
      eb.and([eb('state', '=', 'leased'), eb('lease_until_ms', '<=', nowMs)]),
    ]);
}

function toRow(record: JobRecord) {
  return {
    id: record.id,
    kind: record.kind,
    deployment_id: record.deploymentId,
    state: record.state,
    attempts: record.attempts,
    lease_owner: record.leaseOwner,
    lease_until_ms: record.leaseUntilMs,
    run_after_ms: record.runAfterMs,
    last_error: record.lastError,
    created_at_ms: record.createdAtMs,
  };
}

function toRecord(row: Selectable<JobTable>): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    deploymentId: row.deployment_id,
    state: row.state,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseUntilMs: fromNullableBigInt(row.lease_until_ms),
    runAfterMs: fromBigInt(row.run_after_ms),
    lastError: row.last_error,
    createdAtMs: fromBigInt(row.created_at_ms),
  };
}
