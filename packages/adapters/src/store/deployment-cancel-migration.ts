/**
 * Migration `0007-deployment-cancel`: a deployment's cancel request (who asked, when), persisted so a cancel asked
 * before a restart still ends the deployment `cancelled` after it. Schema builder only; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const deploymentCancelMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('deployments').addColumn('cancel_requested_by', 'text').execute();
    await db.schema.alterTable('deployments').addColumn('cancel_requested_at_ms', 'bigint').execute();
  },
};
