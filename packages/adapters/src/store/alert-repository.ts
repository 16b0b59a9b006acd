/** Alert rules and alerts in SQL; dialect-neutral. */
import { SlipwayError } from '@slipway/contract';
import type { AlertRecord, AlertRepository, AlertRuleKind, AlertRuleRecord } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromNullableBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { AlertRuleTable, AlertTable } from './alert-tables.js';
import { isUniqueViolation, type UniqueConstraint } from './unique-violation.js';

const defaultRuleConstraint: UniqueConstraint = {
  name: 'alert_rules_default_unique',
  table: 'alert_rules',
  columns: ['project_id', 'default_kind'],
};
const alertIdConstraint: UniqueConstraint = { name: 'alerts_pkey', table: 'alerts', columns: ['id'] };

/** Open alerts first (newest first), then resolved ones (latest resolved first). */
const openFirst = (a: AlertRecord, b: AlertRecord): number => {
  const isOpen = (x: AlertRecord): number => (x.state === 'resolved' ? 1 : 0);
  if (isOpen(a) !== isOpen(b)) return isOpen(a) - isOpen(b);
  const at = (x: AlertRecord): number => x.resolvedAtMs ?? x.activeAtMs;
  return at(b) - at(a) || (a.id < b.id ? 1 : -1);
};

export function createAlertRepository(db: Kysely<Database>): AlertRepository {
  const rules = () => db.selectFrom('alert_rules').selectAll();
  const alerts = () => db.selectFrom('alerts').selectAll();
  return {
    async insertRule(record) {
      try {
        await db
          .insertInto('alert_rules')
          .values({
            id: record.id,
            project_id: record.projectId,
            app_id: record.appId,
            environment_id: record.environmentId,
            kind: record.kind,
            threshold: record.threshold,
            for_ms: record.forMs,
            min_requests: record.minRequests,
            default_kind: record.defaultKind,
            is_enabled: record.isEnabled ? 1 : 0,
            created_at_ms: record.createdAtMs,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error, defaultRuleConstraint)) {
          throw new SlipwayError('VERSION_CONFLICT', `the project already has a built-in ${record.defaultKind} rule`);
        }
        throw error;
      }
    },
    async findRule(id) {
      const row = await rules().where('id', '=', id).executeTakeFirst();
      return row && toRule(row);
    },
    async listRules(projectId) {
      let query = rules();
      if (projectId !== undefined) query = query.where('project_id', '=', projectId);
      return (await query.orderBy('created_at_ms').orderBy('id').execute()).map(toRule);
    },
    async setRuleEnabled(id, isEnabled) {
      const result = await db
        .updateTable('alert_rules')
        .set({ is_enabled: isEnabled ? 1 : 0 })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async deleteRule(id) {
      const result = await db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async insertAlert(record) {
      try {
        await db.insertInto('alerts').values(toAlertRow(record)).execute();
      } catch (error) {
        if (isUniqueViolation(error, alertIdConstraint)) {
          throw new SlipwayError('VERSION_CONFLICT', `alert ${record.id} exists`);
        }
        throw error;
      }
    },
    async updateAlert(record) {
      const { id, ...row } = toAlertRow(record);
      await db.updateTable('alerts').set(row).where('id', '=', id).execute();
    },
    async deleteAlert(id) {
      await db.deleteFrom('alerts').where('id', '=', id).execute();
    },
    async listOpen() {
      const rows = await alerts()
        .where('state', 'in', ['pending', 'firing'])
        .orderBy('active_at_ms')
        .orderBy('id')
        .execute();
      return rows.map(toAlert);
    },
    async listAlerts(filter) {
      let query = alerts();
      if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
      if (filter.state !== undefined) query = query.where('state', '=', filter.state);
      const open = await query.where('state', '!=', 'resolved').execute();
      const resolved =
        filter.state === undefined || filter.state === 'resolved'
          ? await query
              .where('state', '=', 'resolved')
              .orderBy('resolved_at_ms', 'desc')
              .orderBy('id', 'desc')
              .limit(filter.limit)
              .execute()
          : [];
      return [...open, ...resolved].map(toAlert).sort(openFirst).slice(0, filter.limit);
    },
    async deleteResolvedBefore(beforeMs) {
      const result = await db
        .deleteFrom('alerts')
        .where('state', '=', 'resolved')
        .where('resolved_at_ms', '<', beforeMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRule(row: Selectable<AlertRuleTable>): AlertRuleRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    appId: row.app_id,
    environmentId: row.environment_id,
    kind: row.kind as AlertRuleKind,
    threshold: row.threshold,
    forMs: fromBigInt(row.for_ms),
    minRequests: row.min_requests,
    defaultKind: row.default_kind as AlertRuleKind | null,
    isEnabled: row.is_enabled === 1,
    createdAtMs: fromBigInt(row.created_at_ms),
  };
}

function toAlertRow(record: AlertRecord) {
  return {
    id: record.id,
    rule_id: record.ruleId,
    project_id: record.projectId,
    kind: record.kind,
    subject_key: record.subjectKey,
    subject: record.subject,
    app_id: record.appId,
    environment_id: record.environmentId,
    state: record.state,
    active_at_ms: record.activeAtMs,
    fired_at_ms: record.firedAtMs,
    resolved_at_ms: record.resolvedAtMs,
    value: record.value,
    threshold: record.threshold,
    message: record.message,
    updated_at_ms: record.updatedAtMs,
  };
}

function toAlert(row: Selectable<AlertTable>): AlertRecord {
  return {
    id: row.id,
    ruleId: row.rule_id,
    projectId: row.project_id,
    kind: row.kind as AlertRuleKind,
    subjectKey: row.subject_key,
    subject: row.subject,
    appId: row.app_id,
    environmentId: row.environment_id,
    state: row.state,
    activeAtMs: fromBigInt(row.active_at_ms),
    firedAtMs: fromNullableBigInt(row.fired_at_ms),
    resolvedAtMs: fromNullableBigInt(row.resolved_at_ms),
    value: row.value === null ? null : Number(row.value),
    threshold: row.threshold === null ? null : Number(row.threshold),
    message: row.message,
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}
