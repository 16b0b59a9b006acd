/**
 * Migration `0004-audit`: the audit log's chained records and the checkpoint pruning leaves. Schema builder only,
 * like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const auditMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_records')
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text')
      .addColumn('actor_name', 'text', (c) => c.notNull())
      .addColumn('actor_credential_kind', 'text')
      .addColumn('actor_credential_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_kind', 'text')
      .addColumn('target_id', 'text')
      .addColumn('source_ip', 'text')
      .addColumn('request_id', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_records_pk', ['seq'])
      .execute();
    await db.schema.createIndex('audit_records_at_idx').on('audit_records').column('at_ms').execute();
    await db.schema.createIndex('audit_records_action_idx').on('audit_records').columns(['action', 'seq']).execute();

    // One row (name `anchor`): the last pruned record's seq and hash.
    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('pruned_at_ms', 'bigint', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['audit_checkpoints', 'audit_records']) await db.schema.dropTable(table).execute();
  },
};
