/**
 * Migration `0026-log-drain-errors`: a log drain's last failed send keeps its code (`LOG_DRAIN_TIMEOUT` …) beside its
 * words, so its status shows both. Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const logDrainErrorsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('log_drains').addColumn('last_error_code', 'text').execute();
  },
};
