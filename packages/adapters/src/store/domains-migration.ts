/**
 * Migration `0022-domains-certificates`: custom domains (one per host) with their sealed certificates, ordering
 * state and last error, and the ACME accounts (one per CA directory, key sealed). Schema builder only; history once
 * shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const domainsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('domains')
      .addColumn('host', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('verification', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('certificate', 'text')
      .addColumn('last_error', 'text')
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expiry_notified_at_ms', 'bigint')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('domains_app_idx').on('domains').column('app_id').execute();

    await db.schema
      .createTable('acme_accounts')
      .addColumn('directory_url', 'text', (c) => c.primaryKey())
      .addColumn('sealed_key', 'text', (c) => c.notNull())
      .addColumn('account_url', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
  },
};
