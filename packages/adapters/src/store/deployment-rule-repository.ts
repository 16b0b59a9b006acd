/** Deployment rules and their firings in SQL; a firing is inserted only once per (rule, commit). */
import type {
  DeferredFiringRecord,
  DeferredFiringTarget,
  DeploymentRuleFiringRecord,
  DeploymentRuleRecord,
  DeploymentRuleRepository,
  DeploymentRuleTarget,
} from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, fromNullableBigInt, toJson } from './column-codec.js';
import type { Database } from './database.js';
import type { DeferredFiringTable, DeploymentRuleFiringTable, DeploymentRuleTable } from './deployment-rule-tables.js';

export function createDeploymentRuleRepository(db: Kysely<Database>): DeploymentRuleRepository {
  const select = () =>
    db
      .selectFrom('deployment_rules')
      .selectAll()
      .orderBy('repository_id')
      .orderBy('target_kind')
      .orderBy('target_id')
      .orderBy('position')
      .orderBy('id');
  const whereTarget = (target: DeploymentRuleTarget) =>
    select().where('target_kind', '=', target.kind).where('target_id', '=', target.id);
  return {
    async insert(record) {
      await db
        .insertInto('deployment_rules')
        .values({
          id: record.id,
          target_kind: record.target.kind,
          target_id: record.target.id,
          app_id: record.target.kind === 'app' ? record.target.id : null,
          repository_id: record.repositoryId,
          created_at_ms: record.createdAtMs,
          ...mutableColumns(record),
        })
        .execute();
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async listByTarget(target) {
      return (await whereTarget(target).execute()).map(toRecord);
    },
    async listByRepository(repositoryId) {
      return (await select().where('repository_id', '=', repositoryId).execute()).map(toRecord);
    },
    async list() {
      return (await select().execute()).map(toRecord);
    },
    async update(record) {
      await db.updateTable('deployment_rules').set(mutableColumns(record)).where('id', '=', record.id).execute();
    },
    async delete(id) {
      await db.deleteFrom('deployment_rule_firings').where('rule_id', '=', id).execute();
      await db.deleteFrom('deferred_firings').where('firing_key', '=', id).execute();
      const result = await db.deleteFrom('deployment_rules').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async deleteByTarget(target) {
      const ids = (await whereTarget(target).execute()).map((row) => row.id);
      if (ids.length === 0) return;
      await db.deleteFrom('deployment_rule_firings').where('rule_id', 'in', ids).execute();
      await db.deleteFrom('deferred_firings').where('firing_key', 'in', ids).execute();
      await db.deleteFrom('deployment_rules').where('id', 'in', ids).execute();
    },
    async findFiring(ruleId, commit) {
      const row = await db
        .selectFrom('deployment_rule_firings')
        .selectAll()
        .where('rule_id', '=', ruleId)
        .where('commit_id', '=', commit)
        .executeTakeFirst();
      return row && toFiring(row);
    },
    async insertFiring(record) {
      const result = await db
        .insertInto('deployment_rule_firings')
        .values({
          rule_id: record.ruleId,
          commit_id: record.commit,
          ref: record.ref,
          origin: record.origin,
          deployment_ids: toJson(record.deploymentIds),
          fired_at_ms: record.firedAtMs,
        })
        .onConflict((oc) => oc.columns(['rule_id', 'commit_id']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async deferFiring(record) {
      const columns = {
        target: toJson(record.target),
        ref: record.ref,
        commit_id: record.commit,
        origin: record.origin,
        reason: record.reason,
        deferred_at_ms: record.deferredAtMs,
      };
      await db
        .insertInto('deferred_firings')
        .values({ firing_key: record.firingKey, ...columns })
        .onConflict((oc) => oc.column('firing_key').doUpdateSet(columns))
        .execute();
    },
    async listDeferredFirings() {
      const rows = await db
        .selectFrom('deferred_firings')
        .selectAll()
        .orderBy('deferred_at_ms')
        .orderBy('firing_key')
        .execute();
      return rows.map(toDeferred);
    },
    async deleteDeferredFiring(firingKey, commit) {
      await db
        .deleteFrom('deferred_firings')
        .where('firing_key', '=', firingKey)
        .where('commit_id', '=', commit)
        .execute();
    },
    async deleteDeferredFiringQueuedBy(firingKey, atOrBeforeMs) {
      await db
        .deleteFrom('deferred_firings')
        .where('firing_key', '=', firingKey)
        .where('deferred_at_ms', '<=', atOrBeforeMs)
        .execute();
    },
  };
}

function toDeferred(row: Selectable<DeferredFiringTable>): DeferredFiringRecord {
  return {
    firingKey: row.firing_key,
    target: fromJson<DeferredFiringTarget>(row.target),
    ref: row.ref,
    commit: row.commit_id,
    origin: row.origin,
    reason: row.reason,
    deferredAtMs: fromBigInt(row.deferred_at_ms),
  };
}

function mutableColumns(record: DeploymentRuleRecord) {
  return {
    position: record.position,
    ref_pattern: record.refPattern,
    event: record.event,
    environment_id: record.environmentId,
    is_enabled: record.isEnabled ? 1 : 0,
    trigger_count: record.triggerCount,
    last_deployed_commit: record.lastDeployedCommit,
    last_deployed_ref: record.lastDeployedRef,
    last_triggered_at_ms: record.lastTriggeredAtMs,
    updated_at_ms: record.updatedAtMs,
  };
}

function toRecord(row: Selectable<DeploymentRuleTable>): DeploymentRuleRecord {
  return {
    id: row.id,
    target: { kind: row.target_kind, id: row.target_id },
    repositoryId: row.repository_id,
    position: row.position,
    refPattern: row.ref_pattern,
    event: row.event,
    environmentId: row.environment_id,
    isEnabled: row.is_enabled !== 0,
    triggerCount: row.trigger_count,
    lastDeployedCommit: row.last_deployed_commit,
    lastDeployedRef: row.last_deployed_ref,
    lastTriggeredAtMs: fromNullableBigInt(row.last_triggered_at_ms),
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}

function toFiring(row: Selectable<DeploymentRuleFiringTable>): DeploymentRuleFiringRecord {
  return {
    ruleId: row.rule_id,
    commit: row.commit_id,
    ref: row.ref,
    origin: row.origin,
    deploymentIds: fromJson<string[]>(row.deployment_ids),
    firedAtMs: fromBigInt(row.fired_at_ms),
  };
}
