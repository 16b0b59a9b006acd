/**
 * Migration `0012-environments-approvals`: a deployment's author, an app environment's strategy override and approval
 * policy, approval requests (one per gate key) and decisions (one per request and user). Schema builder only;
 * history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

const cascade = 'cascade';

export const environmentsApprovalsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('deployments').addColumn('requested_by', 'text').execute();

    await db.schema
      .createTable('environment_strategies')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('strategy', 'text', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('environment_strategies_pk', ['app_id', 'environment_id'])
      .addForeignKeyConstraint('environment_strategies_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();

    await db.schema
      .createTable('approval_policies')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('required_approvals', 'integer', (c) => c.notNull())
      .addColumn('approvers', 'text', (c) => c.notNull())
      .addColumn('prevent_self_approval', 'integer', (c) => c.notNull())
      .addColumn('wait_timer_ms', 'bigint', (c) => c.notNull())
      .addColumn('timeout_ms', 'bigint', (c) => c.notNull())
      .addColumn('ref_patterns', 'text', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('approval_policies_pk', ['app_id', 'environment_id'])
      .addForeignKeyConstraint('approval_policies_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();

    await db.schema
      .createTable('approval_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('gate_key', 'text', (c) => c.notNull())
      .addColumn('release_id', 'text')
      .addColumn('release_number', 'integer')
      .addColumn('ref', 'text')
      .addColumn('commit_sha', 'text')
      .addColumn('requested_by', 'text')
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('not_before_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('decided_at_ms', 'bigint')
      .addUniqueConstraint('approval_requests_gate_key_unique', ['gate_key'])
      .addForeignKeyConstraint('approval_requests_deployment_fk', ['deployment_id'], 'deployments', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();
    await db.schema
      .createIndex('approval_requests_app_environment_idx')
      .on('approval_requests')
      .columns(['app_id', 'environment_id', 'created_at_ms'])
      .execute();
    await db.schema.createIndex('approval_requests_state_idx').on('approval_requests').column('state').execute();

    await db.schema
      .createTable('approval_decisions')
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('approval_decisions_pk', ['request_id', 'actor_user_id'])
      .addForeignKeyConstraint('approval_decisions_request_fk', ['request_id'], 'approval_requests', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();
  },
};
