/**
 * Migration `0024-deferred-firings`: pushes that found their environment busy and deploy when it frees, one per
 * firing key (a newer push replaces an older one). No foreign key: a firing key may name an implicit rule, and a
 * queued firing whose rule or stack is gone is dropped when it is retried. Schema builder only; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const deferredFiringsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('deferred_firings')
      .addColumn('firing_key', 'text', (c) => c.primaryKey())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('commit_id', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('deferred_at_ms', 'bigint', (c) => c.notNull())
      .execute();
  },
};
