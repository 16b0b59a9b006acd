/**
 * Migration `0005-containers`: which runtime runs each instance, the limits it runs under and why it last exited,
 * and the image a release runs. Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const containersMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('instances')
      .addColumn('runtime', 'text', (c) => c.notNull().defaultTo('process'))
      .execute();
    await db.schema.alterTable('instances').addColumn('limits', 'text').execute();
    await db.schema.alterTable('instances').addColumn('last_exit_reason', 'text').execute();
    await db.schema.alterTable('releases').addColumn('image', 'text').execute();
  },
};
