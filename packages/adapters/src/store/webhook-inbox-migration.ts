/**
 * Migration `0016-webhook-inbox`: the webhook secrets of repositories (sealed under a data key of their own) and the
 * inbox of received deliveries, unique on (provider, delivery key); both go with their repository (cascade). Schema builder only; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const webhookInboxMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('git_webhook_secrets')
      .addColumn('repository_id', 'text', (c) => c.primaryKey())
      .addColumn('data_key_id', 'text', (c) => c.notNull())
      .addColumn('wrapped_key', 'text', (c) => c.notNull())
      .addColumn('master_key_id', 'text', (c) => c.notNull())
      .addColumn('current_version', 'integer', (c) => c.notNull())
      .addColumn('current_sealed', 'text', (c) => c.notNull())
      .addColumn('previous_version', 'integer')
      .addColumn('previous_sealed', 'text')
      .addColumn('previous_until_ms', 'bigint')
      .addColumn('rotated_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint(
        'git_webhook_secrets_repository_fk',
        ['repository_id'],
        'git_repositories',
        ['id'],
        (c) => c.onDelete('cascade'),
      )
      .execute();

    await db.schema
      .createTable('git_webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('repository_id', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('delivery_key', 'text', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('head_sha', 'text')
      .addColumn('outcome', 'text')
      .addColumn('reason', 'text')
      .addColumn('deployment_ids', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until_ms', 'bigint')
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('processed_at_ms', 'bigint')
      .addUniqueConstraint('git_webhook_deliveries_key_unique', ['provider', 'delivery_key'])
      .addForeignKeyConstraint(
        'git_webhook_deliveries_repository_fk',
        ['repository_id'],
        'git_repositories',
        ['id'],
        (c) => c.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('git_webhook_deliveries_state_idx')
      .on('git_webhook_deliveries')
      .columns(['state', 'received_at_ms'])
      .execute();
    await db.schema
      .createIndex('git_webhook_deliveries_repository_idx')
      .on('git_webhook_deliveries')
      .columns(['repository_id', 'received_at_ms'])
      .execute();
  },
};
