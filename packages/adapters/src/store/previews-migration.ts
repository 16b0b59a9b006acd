/**
 * Migration `0018-previews`: each app's preview settings and its previews, one per pull request (unique per app and
 * number). Both go with their app; a repository removed leaves its previews to be removed by their close or TTL.
 * Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

const cascade = 'cascade';

export const previewsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('preview_settings')
      .addColumn('app_id', 'text', (c) => c.primaryKey())
      .addColumn('repository_id', 'text', (c) => c.notNull())
      .addColumn('max_previews', 'integer', (c) => c.notNull())
      .addColumn('idle_ttl_ms', 'bigint', (c) => c.notNull())
      .addColumn('provider', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('preview_settings_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();
    await db.schema
      .createIndex('preview_settings_repository_idx')
      .on('preview_settings')
      .column('repository_id')
      .execute();

    await db.schema
      .createTable('previews')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('repository_id', 'text', (c) => c.notNull())
      .addColumn('number', 'bigint', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('head_ref', 'text', (c) => c.notNull())
      .addColumn('head_sha', 'text', (c) => c.notNull())
      .addColumn('is_fork', 'integer', (c) => c.notNull())
      .addColumn('head_clone_url', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text')
      .addColumn('deployment_id', 'text')
      .addColumn('approved_by', 'text')
      .addColumn('approved_sha', 'text')
      .addColumn('provider_refs', 'text', (c) => c.notNull())
      .addColumn('last_event_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('previews_app_number_unique', ['app_id', 'number'])
      .addForeignKeyConstraint('previews_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();
  },
};
