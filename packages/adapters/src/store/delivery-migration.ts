/**
 * Migration `0011-delivery`: the desired state of each app environment (which releases run, at what scale and
 * traffic weight) and the rollout records (the step each rollout is on, its gate's state, user controls).
 * Schema builder only; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const deliveryMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('desired_states')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('targets', 'text', (c) => c.notNull())
      .addColumn('sticky_cookie', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('desired_states_pk', ['app_id', 'environment_id'])
      // Deleting an app deletes what it should run and its rollouts, as every table under an app does.
      .addForeignKeyConstraint('desired_states_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete('cascade'))
      .execute();
    await db.schema
      .createTable('rollouts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('release_id', 'text', (c) => c.notNull())
      .addColumn('stable_release_id', 'text')
      .addColumn('strategy', 'text', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('pause_reason', 'text')
      .addColumn('message', 'text')
      .addColumn('failure_code', 'text')
      .addColumn('step_index', 'integer', (c) => c.notNull())
      .addColumn('step_started_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('gate_state', 'text')
      .addColumn('control', 'text', (c) => c.notNull())
      .addColumn('deadline_at_ms', 'bigint')
      .addColumn('paused_at_ms', 'bigint')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_at_ms', 'bigint')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addForeignKeyConstraint('rollouts_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('rollouts_deployment').on('rollouts').column('deployment_id').execute();
    await db.schema
      .createIndex('rollouts_scope_phase')
      .on('rollouts')
      .columns(['app_id', 'environment_id', 'phase'])
      .execute();
  },
};
