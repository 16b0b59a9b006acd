/**
 * Migration `0021-autoscaling`: the autoscaler's recent decisions per process type, each whole as JSON (its inputs
 * and reasoning are read and shown as one). Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const autoscaleMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('autoscale_decisions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('process', 'text', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addForeignKeyConstraint('autoscale_decisions_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete('cascade'))
      .addForeignKeyConstraint('autoscale_decisions_environment_fk', ['environment_id'], 'environments', ['id'], (c) =>
        c.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('autoscale_decisions_scope_idx')
      .on('autoscale_decisions')
      .columns(['app_id', 'environment_id', 'process', 'at_ms'])
      .execute();
  },
};
