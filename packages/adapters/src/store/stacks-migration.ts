/**
 * Migration `0019-stacks`: stacks (a compose file's services as apps of one project) and stack deployments (one app
 * deployment per service, in dependency order). Services and per-service progress are JSON: always read and written
 * whole with their stack or stack deployment. Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const stacksMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('stacks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('runtime', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text')
      .addColumn('source_kind', 'text', (c) => c.notNull())
      .addColumn('repository_id', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('services', 'text', (c) => c.notNull())
      .addColumn('notices', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('stacks_name_unique', ['name'])
      .addForeignKeyConstraint('stacks_project_fk', ['project_id'], 'projects', ['id'])
      .execute();
    await db.schema.createIndex('stacks_repository_idx').on('stacks').column('repository_id').execute();

    await db.schema
      .createTable('stack_deployments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('stack_id', 'text', (c) => c.notNull())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('commit_id', 'text')
      .addColumn('ref', 'text')
      .addColumn('requested_by', 'text')
      .addColumn('services', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_at_ms', 'bigint')
      .addForeignKeyConstraint('stack_deployments_stack_fk', ['stack_id'], 'stacks', ['id'], (c) =>
        c.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('stack_deployments_stack_created_idx')
      .on('stack_deployments')
      .columns(['stack_id', 'created_at_ms'])
      .execute();
    await db.schema.createIndex('stack_deployments_state_idx').on('stack_deployments').column('state').execute();
  },
};
