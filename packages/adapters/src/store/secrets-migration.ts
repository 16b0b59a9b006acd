/**
 * Migration `0003-secrets`: wrapped data keys, sealed secrets per app environment, and the sealed copies releases
 * carry. Nothing here ever holds a plain value. Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

const cascade = 'cascade';

export const secretsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('data_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('wrapped_key', 'text', (c) => c.notNull())
      .addColumn('master_key_id', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('wrapped_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('data_keys_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('data_keys_environment_fk', ['environment_id'], 'environments', ['id'])
      .execute();
    await db.schema
      .createIndex('data_keys_app_environment_idx')
      .on('data_keys')
      .columns(['app_id', 'environment_id', 'created_at_ms'])
      .execute();
    await db.schema.createIndex('data_keys_master_key_idx').on('data_keys').column('master_key_id').execute();

    await db.schema
      .createTable('secrets')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      // All three null once the secret is unset; the row stays so versions are never reused.
      .addColumn('data_key_id', 'text')
      .addColumn('nonce', 'text')
      .addColumn('ciphertext', 'text')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('secrets_pk', ['app_id', 'environment_id', 'name'])
      .addForeignKeyConstraint('secrets_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('secrets_environment_fk', ['environment_id'], 'environments', ['id'])
      .execute();

    await db.schema
      .createTable('release_secrets')
      .addColumn('release_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('data_key_id', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('release_secrets_pk', ['release_id', 'name'])
      .addForeignKeyConstraint('release_secrets_release_fk', ['release_id'], 'releases', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['release_secrets', 'secrets', 'data_keys']) await db.schema.dropTable(table).execute();
  },
};
