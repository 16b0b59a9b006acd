/**
 * Desired states and rollout records in SQL. Both are guarded by optimistic concurrency on `version`; a user's
 * control request merges into the stored control without ever conflicting.
 */
import { SlipwayError, type ErrorCode } from '@slipway/contract';
import type {
  DesiredStateRecord,
  DesiredStateRepository,
  PauseReason,
  ReleaseTarget,
  RolloutControl,
  RolloutPhase,
  RolloutRecord,
  RolloutRepository,
  StrategyType,
} from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, fromNullableBigInt, toJson } from './column-codec.js';
import type { Database } from './database.js';
import type { DesiredStateTable, RolloutTable } from './delivery-tables.js';

const activePhases: RolloutPhase[] = ['progressing', 'paused'];
/** Control requests retried this many times against concurrent writes before giving up (they are rare and quick). */
const controlAttempts = 20;

export function createDesiredStateRepository(db: Kysely<Database>): DesiredStateRepository {
  const find = async (appId: string, environmentId: string): Promise<DesiredStateRecord | undefined> => {
    const row = await db
      .selectFrom('desired_states')
      .selectAll()
      .where('app_id', '=', appId)
      .where('environment_id', '=', environmentId)
      .executeTakeFirst();
    return row && toDesiredState(row);
  };
  const conflict = (record: DesiredStateRecord, stored: number | null): SlipwayError =>
    new SlipwayError('VERSION_CONFLICT', 'the desired state changed since it was read; read it again', {
      details: {
        appId: record.appId,
        environmentId: record.environmentId,
        expectedVersion: record.version,
        storedVersion: stored,
      },
    });
  return {
    async listScopes() {
      const rows = await db.selectFrom('desired_states').select(['app_id', 'environment_id']).execute();
      return rows.map((row) => ({ appId: row.app_id, environmentId: row.environment_id }));
    },
    find,
    async put(record) {
      const stored: DesiredStateRecord = { ...record, version: record.version + 1 };
      const values = {
        app_id: record.appId,
        environment_id: record.environmentId,
        targets: toJson(record.targets),
        sticky_cookie: record.stickyCookie,
        version: stored.version,
        updated_at_ms: record.updatedAtMs,
      };
      if (record.version === 0) {
        const result = await db
          .insertInto('desired_states')
          .values(values)
          .onConflict((oc) => oc.columns(['app_id', 'environment_id']).doNothing())
          .executeTakeFirst();
        if ((result.numInsertedOrUpdatedRows ?? 0n) > 0n) return stored;
      } else {
        const result = await db
          .updateTable('desired_states')
          .set({
            targets: values.targets,
            sticky_cookie: values.sticky_cookie,
            version: stored.version,
            updated_at_ms: values.updated_at_ms,
          })
          .where('app_id', '=', record.appId)
          .where('environment_id', '=', record.environmentId)
          .where('version', '=', record.version)
          .executeTakeFirst();
        if (result.numUpdatedRows > 0n) return stored;
      }
      throw conflict(record, (await find(record.appId, record.environmentId))?.version ?? null);
    },
    async delete(appId, environmentId) {
      await db
        .deleteFrom('desired_states')
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .execute();
    },
  };
}

export function createRolloutRepository(db: Kysely<Database>): RolloutRepository {
  const select = () => db.selectFrom('rollouts').selectAll();
  const findById = async (id: string): Promise<RolloutRecord | undefined> => {
    const row = await select().where('id', '=', id).executeTakeFirst();
    return row && toRollout(row);
  };
  const update = async (record: RolloutRecord): Promise<RolloutRecord> => {
    const stored: RolloutRecord = { ...record, version: record.version + 1 };
    const { id: _id, ...changes } = toRow(stored);
    const result = await db
      .updateTable('rollouts')
      .set(changes)
      .where('id', '=', record.id)
      .where('version', '=', record.version)
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) return stored;
    const current = await findById(record.id);
    if (current === undefined)
      throw new SlipwayError('ROLLOUT_NOT_FOUND', `rollout ${record.id} does not exist`, {
        details: { id: record.id },
      });
    throw new SlipwayError('VERSION_CONFLICT', 'the rollout changed since it was read; read it again', {
      details: { id: record.id, expectedVersion: record.version, storedVersion: current.version },
    });
  };
  return {
    async insert(record) {
      const result = await db
        .insertInto('rollouts')
        .values(toRow(record))
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if ((result.numInsertedOrUpdatedRows ?? 0n) === 0n)
        throw new SlipwayError('VERSION_CONFLICT', `rollout ${record.id} exists already`, {
          details: { id: record.id },
        });
    },
    findById,
    async findByDeployment(deploymentId) {
      const row = await select()
        .where('deployment_id', '=', deploymentId)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && toRollout(row);
    },
    async findActive(appId, environmentId) {
      const row = await select()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .where('phase', 'in', activePhases)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && toRollout(row);
    },
    async listActive() {
      const rows = await select().where('phase', 'in', activePhases).orderBy('created_at_ms').orderBy('id').execute();
      return rows.map(toRollout);
    },
    async list(appId, environmentId, limit) {
      const rows = await select()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .orderBy('created_at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return rows.map(toRollout);
    },
    update,
    async requestControl(id, patch, nowMs) {
      for (let attempt = 0; attempt < controlAttempts; attempt += 1) {
        const current = await findById(id);
        if (current === undefined) return undefined;
        try {
          return await update({ ...current, control: { ...current.control, ...patch }, updatedAtMs: nowMs });
        } catch (error) {
          if (!(error instanceof SlipwayError) || error.code !== 'VERSION_CONFLICT') throw error;
        }
      }
      throw new SlipwayError('UNAVAILABLE', 'the rollout is being written too often to take the request; try again', {
        details: { id },
      });
    },
  };
}

function toDesiredState(row: Selectable<DesiredStateTable>): DesiredStateRecord {
  return {
    appId: row.app_id,
    environmentId: row.environment_id,
    targets: fromJson<ReleaseTarget[]>(row.targets),
    stickyCookie: row.sticky_cookie,
    version: row.version,
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}

function toRow(record: RolloutRecord) {
  return {
    id: record.id,
    deployment_id: record.deploymentId,
    app_id: record.appId,
    environment_id: record.environmentId,
    release_id: record.releaseId,
    stable_release_id: record.stableReleaseId,
    strategy: record.strategy,
    phase: record.phase,
    pause_reason: record.pauseReason,
    message: record.message,
    failure_code: record.failureCode,
    step_index: record.stepIndex,
    step_started_at_ms: record.stepStartedAtMs,
    gate_state: record.gateState === null || record.gateState === undefined ? null : toJson(record.gateState),
    control: toJson(record.control),
    deadline_at_ms: record.deadlineAtMs,
    paused_at_ms: record.pausedAtMs,
    created_at_ms: record.createdAtMs,
    updated_at_ms: record.updatedAtMs,
    finished_at_ms: record.finishedAtMs,
    version: record.version,
  };
}

function toRollout(row: Selectable<RolloutTable>): RolloutRecord {
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    appId: row.app_id,
    environmentId: row.environment_id,
    releaseId: row.release_id,
    stableReleaseId: row.stable_release_id,
    strategy: row.strategy as StrategyType,
    phase: row.phase as RolloutPhase,
    pauseReason: row.pause_reason as PauseReason | null,
    message: row.message,
    failureCode: row.failure_code as ErrorCode | null,
    stepIndex: row.step_index,
    stepStartedAtMs: fromBigInt(row.step_started_at_ms),
    gateState: row.gate_state === null ? null : fromJson<unknown>(row.gate_state),
    control: fromJson<RolloutControl>(row.control),
    deadlineAtMs: fromNullableBigInt(row.deadline_at_ms),
    pausedAtMs: fromNullableBigInt(row.paused_at_ms),
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
    finishedAtMs: fromNullableBigInt(row.finished_at_ms),
    version: row.version,
  };
}
