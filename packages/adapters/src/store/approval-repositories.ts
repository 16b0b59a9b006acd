/** Environments' strategy overrides, approval policies, requests and decisions in SQL. */
import { SlipwayError } from '@slipway/contract';
import type {
  ApprovalDecisionRecord,
  ApprovalDecisionRepository,
  ApprovalPolicyRecord,
  ApprovalPolicyRepository,
  ApprovalRequestRecord,
  ApprovalRequestRepository,
  ApprovalRules,
  EnvironmentStrategyRecord,
  EnvironmentStrategyRepository,
} from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import type { ApprovalPolicyTable, ApprovalRequestTable } from './approval-tables.js';
import { fromBigInt, fromJson, fromNullableBigInt, toJson } from './column-codec.js';
import type { Database } from './database.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

export function createEnvironmentStrategyRepository(db: Kysely<Database>): EnvironmentStrategyRepository {
  return {
    async find(appId, environmentId) {
      const row = await db
        .selectFrom('environment_strategies')
        .selectAll()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .executeTakeFirst();
      return (
        row && {
          appId: row.app_id,
          environmentId: row.environment_id,
          strategy: fromJson<EnvironmentStrategyRecord['strategy']>(row.strategy),
          updatedAtMs: fromBigInt(row.updated_at_ms),
        }
      );
    },
    async put(record) {
      const values = { strategy: toJson(record.strategy), updated_at_ms: record.updatedAtMs };
      await db
        .insertInto('environment_strategies')
        .values({ app_id: record.appId, environment_id: record.environmentId, ...values })
        .onConflict((c) => c.columns(['app_id', 'environment_id']).doUpdateSet(values))
        .execute();
    },
    async delete(appId, environmentId) {
      await db
        .deleteFrom('environment_strategies')
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .execute();
    },
  };
}

export function createApprovalPolicyRepository(db: Kysely<Database>): ApprovalPolicyRepository {
  return {
    async find(appId, environmentId) {
      const row = await db
        .selectFrom('approval_policies')
        .selectAll()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .executeTakeFirst();
      return row && toPolicy(row);
    },
    async put(record) {
      const values = {
        required_approvals: record.requiredApprovals,
        approvers: toJson(record.approvers),
        prevent_self_approval: record.preventSelfApproval ? 1 : 0,
        wait_timer_ms: record.waitTimerMs,
        timeout_ms: record.timeoutMs,
        ref_patterns: toJson(record.refPatterns),
        updated_at_ms: record.updatedAtMs,
      };
      await db
        .insertInto('approval_policies')
        .values({ app_id: record.appId, environment_id: record.environmentId, ...values })
        .onConflict((c) => c.columns(['app_id', 'environment_id']).doUpdateSet(values))
        .execute();
    },
    async delete(appId, environmentId) {
      await db
        .deleteFrom('approval_policies')
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .execute();
    },
  };
}

function toPolicy(row: Selectable<ApprovalPolicyTable>): ApprovalPolicyRecord {
  return {
    appId: row.app_id,
    environmentId: row.environment_id,
    requiredApprovals: row.required_approvals,
    approvers: fromJson<ApprovalPolicyRecord['approvers']>(row.approvers),
    preventSelfApproval: Number(row.prevent_self_approval) === 1,
    waitTimerMs: fromBigInt(row.wait_timer_ms),
    timeoutMs: fromBigInt(row.timeout_ms),
    refPatterns: fromJson<string[]>(row.ref_patterns),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}

export function createApprovalRequestRepository(db: Kysely<Database>): ApprovalRequestRepository {
  const select = () => db.selectFrom('approval_requests').selectAll();
  return {
    async insert(record) {
      try {
        await db.insertInto('approval_requests').values(toRequestRow(record)).execute();
      } catch (error) {
        if (!isUniqueViolation(error, uniqueConstraints.approvalGateKey)) throw error;
        throw new SlipwayError('VALIDATION_FAILED', `an approval request for ${record.gateKey} exists already`, {
          details: { conflict: 'gateKey', gateKey: record.gateKey },
          cause: error,
        });
      }
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRequest(row);
    },
    async findByGateKey(gateKey) {
      const row = await select().where('gate_key', '=', gateKey).executeTakeFirst();
      return row && toRequest(row);
    },
    async list(filter, limit) {
      let query = select();
      if (filter.appId !== undefined) query = query.where('app_id', '=', filter.appId);
      if (filter.environmentId !== undefined) query = query.where('environment_id', '=', filter.environmentId);
      if (filter.deploymentId !== undefined) query = query.where('deployment_id', '=', filter.deploymentId);
      if (filter.states !== undefined) {
        if (filter.states.length === 0) return [];
        query = query.where('state', 'in', filter.states);
      }
      const rows = await query.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toRequest);
    },
    async settle(id, outcome) {
      const result = await db
        .updateTable('approval_requests')
        .set({ state: outcome.state, reason: outcome.reason, decided_at_ms: outcome.decidedAtMs })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

function toRequestRow(record: ApprovalRequestRecord) {
  return {
    id: record.id,
    app_id: record.appId,
    environment_id: record.environmentId,
    deployment_id: record.deploymentId,
    purpose: record.purpose,
    gate_key: record.gateKey,
    release_id: record.releaseId,
    release_number: record.releaseNumber,
    ref: record.ref,
    commit_sha: record.commit,
    requested_by: record.requestedBy,
    rules: toJson(record.rules),
    state: record.state,
    reason: record.reason,
    created_at_ms: record.createdAtMs,
    not_before_ms: record.notBeforeMs,
    expires_at_ms: record.expiresAtMs,
    decided_at_ms: record.decidedAtMs,
  };
}

function toRequest(row: Selectable<ApprovalRequestTable>): ApprovalRequestRecord {
  return {
    id: row.id,
    appId: row.app_id,
    environmentId: row.environment_id,
    deploymentId: row.deployment_id,
    purpose: row.purpose,
    gateKey: row.gate_key,
    releaseId: row.release_id,
    releaseNumber: row.release_number === null ? null : Number(row.release_number),
    ref: row.ref,
    commit: row.commit_sha,
    requestedBy: row.requested_by,
    rules: fromJson<ApprovalRules>(row.rules),
    state: row.state,
    reason: row.reason,
    createdAtMs: fromBigInt(row.created_at_ms),
    notBeforeMs: fromBigInt(row.not_before_ms),
    expiresAtMs: fromBigInt(row.expires_at_ms),
    decidedAtMs: fromNullableBigInt(row.decided_at_ms),
  };
}

export function createApprovalDecisionRepository(db: Kysely<Database>): ApprovalDecisionRepository {
  return {
    async insert(record) {
      try {
        await db
          .insertInto('approval_decisions')
          .values({
            request_id: record.requestId,
            actor_user_id: record.actorUserId,
            actor: record.actor,
            decision: record.decision,
            comment: record.comment,
            at_ms: record.atMs,
          })
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error, uniqueConstraints.approvalDecision)) throw error;
        throw new SlipwayError('VALIDATION_FAILED', `${record.actor} has decided on this request already`, {
          details: { conflict: 'actor', requestId: record.requestId, actor: record.actor },
          cause: error,
        });
      }
    },
    async listByRequest(requestId) {
      const rows = await db
        .selectFrom('approval_decisions')
        .selectAll()
        .where('request_id', '=', requestId)
        .orderBy('at_ms')
        .orderBy('actor')
        .execute();
      return rows.map((row): ApprovalDecisionRecord => ({
        requestId: row.request_id,
        actorUserId: row.actor_user_id,
        actor: row.actor,
        decision: row.decision,
        comment: row.comment,
        atMs: fromBigInt(row.at_ms),
      }));
    },
  };
}
