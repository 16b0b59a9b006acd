/**
 * Migration `0013-notifications`: notification targets (secret parts sealed), the delivery outbox and every attempt.
 * Deliveries keep no foreign key to their target: their history outlives a removed target. Schema builder only,
 * like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

const cascade = 'cascade';

export const notificationsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('notification_targets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('destination', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('data_key_id', 'text')
      .addColumn('wrapped_key', 'text')
      .addColumn('master_key_id', 'text')
      .addColumn('nonce', 'text')
      .addColumn('ciphertext', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('notification_targets_project_fk', ['project_id'], 'projects', ['id'])
      .addForeignKeyConstraint('notification_targets_environment_fk', ['environment_id'], 'environments', ['id'])
      .execute();
    await db.schema
      .createIndex('notification_targets_project_idx')
      .on('notification_targets')
      .column('project_id')
      .execute();

    await db.schema
      .createTable('notification_deliveries')
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('target_kind', 'text', (c) => c.notNull())
      .addColumn('destination', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_kind', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at_ms', 'bigint')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_deliveries_pk', ['id'])
      .addForeignKeyConstraint('notification_deliveries_project_fk', ['project_id'], 'projects', ['id'])
      .execute();
    await db.schema
      .createIndex('notification_deliveries_due_idx')
      .on('notification_deliveries')
      .columns(['state', 'next_attempt_at_ms'])
      .execute();
    await db.schema
      .createIndex('notification_deliveries_project_created_idx')
      .on('notification_deliveries')
      .columns(['project_id', 'created_at_ms'])
      .execute();

    await db.schema
      .createTable('notification_attempts')
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_attempts_pk', ['delivery_id', 'seq'])
      .addForeignKeyConstraint(
        'notification_attempts_delivery_fk',
        ['delivery_id'],
        'notification_deliveries',
        ['id'],
        (c) => c.onDelete(cascade),
      )
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['notification_attempts', 'notification_deliveries', 'notification_targets']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
