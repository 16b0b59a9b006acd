/**
 * Migration `0009-release-config-vars`: a release records the app environment's config vars it was made with apart
 * from its merged config, so a rollback restores exactly what `config list` showed. Rows written before it read as
 * their config without the manifest's own values (`configVarsOf`). Schema builder only; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const releaseConfigVarsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('releases').addColumn('config_vars', 'text').execute();
  },
};
