/**
 * Migration `0008-run-state`: an app environment's run state (`stopped` by `slipway stop`, kept across restarts of
 * slipwayd) and its maintenance settings (`slipway maintenance on`). Schema builder only; history once shipped.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const runStateMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('app_environments')
      .addColumn('run_state', 'text', (c) => c.notNull().defaultTo(sql`'running'`))
      .execute();
    await db.schema.alterTable('app_environments').addColumn('maintenance', 'text').execute();
  },
};
