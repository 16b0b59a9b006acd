/**
 * Migration `0010-release-runtime-prefix`: a release records the shell prefix its builder declared for every command
 * run in it (`PATH` to the installed tools, `NODE_ENV`…), so one-off commands run as its processes do. Rows written
 * before it read null: their process commands carry the prefix already. Schema builder only; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const releaseRuntimePrefixMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('releases').addColumn('runtime_prefix', 'text').execute();
  },
};
