/**
 * Migration `0028-domain-https`: a domain's own HTTPS redirect (`default` follows the server) and HSTS max-age (null
 * follows the server). Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const domainHttpsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('domains')
      .addColumn('https_redirect', 'text', (column) => column.notNull().defaultTo('default'))
      .execute();
    await db.schema.alterTable('domains').addColumn('hsts_max_age_seconds', 'integer').execute();
  },
};
