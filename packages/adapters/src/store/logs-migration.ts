/**
 * Migration `0020-logs`: the persisted log (app instances' and deployments' lines, numbered by one ever-growing id),
 * each app's retention override, log drains (their URL sealed) with their delivery cursor and counts, and the request
 * id a job was queued under. Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

const cascade = 'cascade';

export const logsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // `autoIncrement`: an id is never given twice, even once the newest lines were pruned, so a reader's cursor
    // (`after`) never skips a line written later under a reused id.
    await db.schema
      .createTable('log_lines')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('process', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('line', 'text', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addForeignKeyConstraint('log_lines_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();
    await db.schema.createIndex('log_lines_app_id_idx').on('log_lines').columns(['app_id', 'id']).execute();
    await db.schema.createIndex('log_lines_app_at_idx').on('log_lines').columns(['app_id', 'at_ms']).execute();
    await db.schema
      .createIndex('log_lines_instance_idx')
      .on('log_lines')
      .columns(['instance_id', 'stream', 'id'])
      .execute();

    await db.schema
      .createTable('log_settings')
      .addColumn('app_id', 'text', (c) => c.primaryKey())
      .addColumn('retention_ms', 'bigint')
      .addColumn('max_bytes', 'bigint')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('log_settings_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();

    await db.schema
      .createTable('log_drains')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('destination', 'text', (c) => c.notNull())
      .addColumn('data_key_id', 'text', (c) => c.notNull())
      .addColumn('wrapped_key', 'text', (c) => c.notNull())
      .addColumn('master_key_id', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addColumn('after_id', 'bigint', (c) => c.notNull())
      .addColumn('delivered', 'bigint', (c) => c.notNull())
      .addColumn('failed', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('last_error_at_ms', 'bigint')
      .addColumn('last_delivered_at_ms', 'bigint')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('log_drains_project_fk', ['project_id'], 'projects', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('log_drains_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();
    await db.schema.createIndex('log_drains_project_idx').on('log_drains').column('project_id').execute();

    await db.schema.alterTable('jobs').addColumn('request_id', 'text').execute();
  },
};
