/**
 * Migration `0017-deployment-rules`: ordered deployment rules per app or stack, and the (rule, commit) pairs that
 * deployed. An app rule goes with its app (cascade); a stack rule names its stack by id and is removed with it by the
 * stack's removal. A firing has no foreign key: an implicit rule (`hosted-default:…`) has no row, and the pair must
 * keep its "deployed once" even while its rule is edited. Schema builder only; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const deploymentRulesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('deployment_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('target_kind', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text')
      .addColumn('repository_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('ref_pattern', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text')
      .addColumn('is_enabled', 'integer', (c) => c.notNull())
      .addColumn('trigger_count', 'integer', (c) => c.notNull())
      .addColumn('last_deployed_commit', 'text')
      .addColumn('last_deployed_ref', 'text')
      .addColumn('last_triggered_at_ms', 'bigint')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('deployment_rules_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete('cascade'))
      .addForeignKeyConstraint('deployment_rules_repository_fk', ['repository_id'], 'git_repositories', ['id'], (c) =>
        c.onDelete('cascade'),
      )
      .addForeignKeyConstraint('deployment_rules_environment_fk', ['environment_id'], 'environments', ['id'], (c) =>
        c.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('deployment_rules_target_idx')
      .on('deployment_rules')
      .columns(['target_kind', 'target_id', 'position'])
      .execute();
    await db.schema
      .createIndex('deployment_rules_repository_idx')
      .on('deployment_rules')
      .column('repository_id')
      .execute();

    await db.schema
      .createTable('deployment_rule_firings')
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('commit_id', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('deployment_ids', 'text', (c) => c.notNull())
      .addColumn('fired_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('deployment_rule_firings_pk', ['rule_id', 'commit_id'])
      .execute();
  },
};
