/**
 * Migration `0015-git-repositories`: the git repositories Slipway deploys from, per project, with the sealed
 * credential (deploy key or token) and the data key that seals it. Schema builder only, like every migration;
 * history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const gitRepositoriesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('git_repositories')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('auth_kind', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text')
      // JSON: the data key (wrapped under the master key) and the sealed value; null for a public repository.
      .addColumn('credential', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('git_repositories_project_name_unique', ['project_id', 'name'])
      .addForeignKeyConstraint('git_repositories_project_fk', ['project_id'], 'projects', ['id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('git_repositories').execute();
  },
};
