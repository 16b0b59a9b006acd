/**
 * Migration `0014-catalog-acl`: catalog ACL rules, one per subject, resource kind and prefix. Subjects carry no foreign
 * key: a rule of a removed user or token simply never matches a credential again. Schema builder only, like every
 * migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const catalogAclMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('catalog_acl_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('subject_kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('catalog_acl_rules_subject_unique', ['subject_kind', 'subject_id', 'resource', 'prefix'])
      .execute();
  },
};
