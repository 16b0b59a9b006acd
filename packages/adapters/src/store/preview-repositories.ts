/** Previews and their apps' preview settings in SQL (migration `0018-previews`). */
import type {
  PreviewProviderAccess,
  PreviewRecord,
  PreviewRepository,
  PreviewSettingsRecord,
  PreviewSettingsRepository,
} from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt, fromJson, fromNullableJson, toJson, toNullableJson } from './column-codec.js';
import type { Database } from './database.js';
import type { PreviewSettingsTable, PreviewTable } from './preview-tables.js';

export function createPreviewSettingsRepository(db: Kysely<Database>): PreviewSettingsRepository {
  return {
    async put(record) {
      const row = {
        app_id: record.appId,
        repository_id: record.repositoryId,
        max_previews: record.maxPreviews,
        idle_ttl_ms: record.idleTtlMs,
        provider: toNullableJson(record.provider),
        created_at_ms: record.createdAtMs,
        updated_at_ms: record.updatedAtMs,
      };
      const { app_id: _key, created_at_ms: _created, ...changes } = row;
      await db
        .insertInto('preview_settings')
        .values(row)
        .onConflict((oc) => oc.column('app_id').doUpdateSet(changes))
        .execute();
    },
    async find(appId) {
      const row = await db.selectFrom('preview_settings').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && toSettings(row);
    },
    async listByRepository(repositoryId) {
      const rows = await db
        .selectFrom('preview_settings')
        .selectAll()
        .where('repository_id', '=', repositoryId)
        .orderBy('app_id')
        .execute();
      return rows.map(toSettings);
    },
    async delete(appId) {
      await db.deleteFrom('preview_settings').where('app_id', '=', appId).execute();
    },
  };
}

export function createPreviewRepository(db: Kysely<Database>): PreviewRepository {
  const select = () => db.selectFrom('previews').selectAll().orderBy('app_id').orderBy('number');
  return {
    async insert(record) {
      await db.insertInto('previews').values(toRow(record)).execute();
    },
    async update(record) {
      const { id, ...changes } = toRow(record);
      await db.updateTable('previews').set(changes).where('id', '=', id).execute();
    },
    async find(appId, number) {
      const row = await select().where('app_id', '=', appId).where('number', '=', number).executeTakeFirst();
      return row && toPreview(row);
    },
    async list(appId) {
      const rows = await (appId === undefined ? select() : select().where('app_id', '=', appId)).execute();
      return rows.map(toPreview);
    },
    async delete(id) {
      await db.deleteFrom('previews').where('id', '=', id).execute();
    },
  };
}

function toSettings(row: Selectable<PreviewSettingsTable>): PreviewSettingsRecord {
  return {
    appId: row.app_id,
    repositoryId: row.repository_id,
    maxPreviews: row.max_previews,
    idleTtlMs: fromBigInt(row.idle_ttl_ms),
    provider: fromNullableJson<PreviewProviderAccess>(row.provider),
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}

function toRow(record: PreviewRecord) {
  return {
    id: record.id,
    app_id: record.appId,
    repository_id: record.repositoryId,
    number: record.number,
    title: record.title,
    head_ref: record.headRef,
    head_sha: record.headSha,
    is_fork: record.isFork ? 1 : 0,
    head_clone_url: record.headCloneUrl,
    state: record.state,
    environment_id: record.environmentId,
    deployment_id: record.deploymentId,
    approved_by: record.approvedBy,
    approved_sha: record.approvedSha,
    provider_refs: toJson(record.providerRefs),
    last_event_at_ms: record.lastEventAtMs,
    created_at_ms: record.createdAtMs,
    updated_at_ms: record.updatedAtMs,
  };
}

function toPreview(row: Selectable<PreviewTable>): PreviewRecord {
  return {
    id: row.id,
    appId: row.app_id,
    repositoryId: row.repository_id,
    number: fromBigInt(row.number),
    title: row.title,
    headRef: row.head_ref,
    headSha: row.head_sha,
    isFork: Number(row.is_fork) === 1,
    headCloneUrl: row.head_clone_url,
    state: row.state,
    environmentId: row.environment_id,
    deploymentId: row.deployment_id,
    approvedBy: row.approved_by,
    approvedSha: row.approved_sha,
    providerRefs: fromJson<Record<string, string>>(row.provider_refs),
    lastEventAtMs: fromBigInt(row.last_event_at_ms),
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}
