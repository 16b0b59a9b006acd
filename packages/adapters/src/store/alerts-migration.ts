/**
 * Migration `0023-alerts`: alert rules (a project's own, and its built-in ones, at most one per kind) and the alerts
 * they raised. Alerts keep no foreign key to their rule, app or environment: their history outlives them. Schema
 * builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

const cascade = 'cascade';

export const alertsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('alert_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text')
      .addColumn('environment_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('threshold', 'double precision')
      .addColumn('for_ms', 'bigint', (c) => c.notNull())
      .addColumn('min_requests', 'integer')
      .addColumn('default_kind', 'text')
      .addColumn('is_enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('alert_rules_default_unique', ['project_id', 'default_kind'])
      .addForeignKeyConstraint('alert_rules_project_fk', ['project_id'], 'projects', ['id'])
      .addForeignKeyConstraint('alert_rules_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('alert_rules_environment_fk', ['environment_id'], 'environments', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();

    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject_key', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text')
      .addColumn('environment_id', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('active_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('fired_at_ms', 'bigint')
      .addColumn('resolved_at_ms', 'bigint')
      .addColumn('value', 'double precision')
      .addColumn('threshold', 'double precision')
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alerts_state_idx').on('alerts').columns(['state', 'resolved_at_ms']).execute();
    await db.schema.createIndex('alerts_project_idx').on('alerts').columns(['project_id', 'state']).execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['alerts', 'alert_rules']) await db.schema.dropTable(table).execute();
  },
};
