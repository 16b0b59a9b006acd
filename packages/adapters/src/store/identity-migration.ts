/**
 * Migration `0002-identities`: users and their role grants, API tokens, sessions with their refresh tokens, and the
 * keys that sign access tokens. Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

const cascade = 'cascade';

export const identityMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('users_name_unique', ['name'])
      .execute();

    // One grant per user and scope; the global scope is the project id '*' (a NULL would not be unique).
    await db.schema
      .createTable('grants')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('grants_pk', ['user_id', 'scope'])
      .addForeignKeyConstraint('grants_user_fk', ['user_id'], 'users', ['id'], (c) => c.onDelete(cascade))
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text')
      .addColumn('max_role', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint')
      .addColumn('last_used_at_ms', 'bigint')
      .addColumn('revoked_at_ms', 'bigint')
      .addUniqueConstraint('api_tokens_hash_unique', ['token_hash'])
      .addForeignKeyConstraint('api_tokens_user_fk', ['user_id'], 'users', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('api_tokens_project_fk', ['project_id'], 'projects', ['id'], (c) => c.onDelete(cascade))
      .execute();
    await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at_ms', 'bigint')
      .addColumn('revoked_reason', 'text')
      .addForeignKeyConstraint('sessions_user_fk', ['user_id'], 'users', ['id'], (c) => c.onDelete(cascade))
      .execute();
    await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('used_at_ms', 'bigint')
      .addUniqueConstraint('refresh_tokens_hash_unique', ['token_hash'])
      .addForeignKeyConstraint('refresh_tokens_session_fk', ['session_id'], 'sessions', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();
    await db.schema.createIndex('refresh_tokens_session_idx').on('refresh_tokens').column('session_id').execute();

    await db.schema
      .createTable('signing_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('algorithm', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('retired_at_ms', 'bigint')
      .addColumn('verify_until_ms', 'bigint')
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['signing_keys', 'refresh_tokens', 'sessions', 'api_tokens', 'grants', 'users']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
