/**
 * The versioned schema, as Kysely migrations in code: schema builder only (no dialect SQL), so SQLite and PostgreSQL
 * run the same set. Times are `bigint` epoch ms, JSON is `text`, ids are `text`, no booleans.
 * Migrations are history: never edit one that has shipped, add the next.
 */
import { SlipwayError } from '@slipway/contract';
import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import { alertsMigration } from './alerts-migration.js';
import { auditMigration } from './audit-migration.js';
import { catalogAclMigration } from './catalog-acl-migration.js';
import { containersMigration } from './containers-migration.js';
import { deliveryMigration } from './delivery-migration.js';
import { deploymentCancelMigration } from './deployment-cancel-migration.js';
import { deploymentRulesMigration } from './deployment-rules-migration.js';
import { environmentsApprovalsMigration } from './environments-approvals-migration.js';
import { gitRepositoriesMigration } from './git-repositories-migration.js';
import { releaseConfigVarsMigration } from './release-config-vars-migration.js';
import { releaseRuntimePrefixMigration } from './release-runtime-prefix-migration.js';
import { identityMigration } from './identity-migration.js';
import { logDrainErrorsMigration } from './log-drain-errors-migration.js';
import { domainHttpsMigration } from './domain-https-migration.js';
import { logsMigration } from './logs-migration.js';
import { notificationsMigration } from './notifications-migration.js';
import { previewsMigration } from './previews-migration.js';
import { runStateMigration } from './run-state-migration.js';
import { secretsMigration } from './secrets-migration.js';
import { deferredFiringsMigration } from './deferred-firings-migration.js';
import { autoscaleMigration } from './autoscale-migration.js';
import { metricSampleMigration } from './metric-sample-migration.js';
import { stacksMigration } from './stacks-migration.js';
import { tenancyHostsMigration } from './tenancy-hosts-migration.js';
import { domainsMigration } from './domains-migration.js';
import { webhookInboxMigration } from './webhook-inbox-migration.js';

const cascade = 'cascade';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('projects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('projects_name_unique', ['name'])
      .execute();

    await db.schema
      .createTable('environments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('environments_project_name_unique', ['project_id', 'name'])
      .addForeignKeyConstraint('environments_project_fk', ['project_id'], 'projects', ['id'])
      .execute();

    await db.schema
      .createTable('apps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('apps_name_unique', ['name'])
      .addForeignKeyConstraint('apps_project_fk', ['project_id'], 'projects', ['id'])
      .execute();
    await db.schema.createIndex('apps_project_idx').on('apps').column('project_id').execute();

    await db.schema
      .createTable('app_environments')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('current_release_id', 'text')
      .addColumn('scale', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_environments_pk', ['app_id', 'environment_id'])
      .addForeignKeyConstraint('app_environments_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('app_environments_environment_fk', ['environment_id'], 'environments', ['id'])
      .execute();

    await db.schema
      .createTable('releases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('artifact_dir', 'text', (c) => c.notNull())
      .addColumn('builder', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('processes', 'text', (c) => c.notNull())
      .addColumn('manifest', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('releases_number_unique', ['app_id', 'environment_id', 'number'])
      .addForeignKeyConstraint('releases_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('releases_environment_fk', ['environment_id'], 'environments', ['id'])
      .execute();

    await db.schema
      .createTable('release_counters')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('last_number', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('release_counters_pk', ['app_id', 'environment_id'])
      .addForeignKeyConstraint('release_counters_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();

    await db.schema
      .createTable('deployments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('phase', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('source_view', 'text')
      .addColumn('release_id', 'text')
      .addColumn('previous_release_id', 'text')
      .addColumn('config', 'text')
      .addColumn('failure', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_at_ms', 'bigint')
      .addForeignKeyConstraint('deployments_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('deployments_environment_fk', ['environment_id'], 'environments', ['id'])
      .execute();
    await db.schema
      .createIndex('deployments_app_environment_created_idx')
      .on('deployments')
      .columns(['app_id', 'environment_id', 'created_at_ms'])
      .execute();
    await db.schema.createIndex('deployments_state_idx').on('deployments').column('state').execute();

    await db.schema
      .createTable('phases')
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_at_ms', 'bigint')
      .addColumn('detail', 'text')
      .addPrimaryKeyConstraint('phases_pk', ['deployment_id', 'seq'])
      .addForeignKeyConstraint('phases_deployment_fk', ['deployment_id'], 'deployments', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();

    await db.schema
      .createTable('instances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('release_id', 'text', (c) => c.notNull())
      .addColumn('deployment_id', 'text')
      .addColumn('process', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('host', 'text')
      .addColumn('port', 'integer')
      .addColumn('pid', 'integer')
      .addColumn('restarts', 'integer', (c) => c.notNull())
      .addColumn('last_exit_code', 'integer')
      .addColumn('started_at_ms', 'bigint')
      .addColumn('healthy_at_ms', 'bigint')
      .addColumn('restart_after_ms', 'bigint')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('instances_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();
    await db.schema
      .createIndex('instances_app_environment_idx')
      .on('instances')
      .columns(['app_id', 'environment_id'])
      .execute();
    await db.schema.createIndex('instances_release_idx').on('instances').column('release_id').execute();

    await db.schema
      .createTable('routes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('path_prefix', 'text', (c) => c.notNull())
      .addColumn('process', 'text', (c) => c.notNull())
      .addColumn('timeout_ms', 'integer')
      .addColumn('origin', 'text', (c) => c.notNull())
      .addForeignKeyConstraint('routes_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .execute();
    await db.schema
      .createIndex('routes_app_environment_idx')
      .on('routes')
      .columns(['app_id', 'environment_id'])
      .execute();

    await db.schema
      .createTable('counters')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('events_deployment_fk', ['deployment_id'], 'deployments', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();
    await db.schema.createIndex('events_deployment_seq_idx').on('events').columns(['deployment_id', 'seq']).execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until_ms', 'bigint')
      .addColumn('run_after_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint('jobs_deployment_fk', ['deployment_id'], 'deployments', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();
    await db.schema.createIndex('jobs_state_run_after_idx').on('jobs').columns(['state', 'run_after_ms']).execute();
    await db.schema.createIndex('jobs_deployment_idx').on('jobs').column('deployment_id').execute();
  },

  async down(db: Kysely<unknown>) {
    const tables = ['jobs', 'events', 'counters', 'routes', 'instances', 'phases', 'deployments', 'release_counters'];
    for (const table of [...tables, 'releases', 'app_environments', 'apps', 'environments', 'projects']) {
      await db.schema.dropTable(table).execute();
    }
  },
};

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-identities': identityMigration,
  '0003-secrets': secretsMigration,
  '0004-audit': auditMigration,
  '0005-containers': containersMigration,
  '0006-tenancy-hosts': tenancyHostsMigration,
  '0007-deployment-cancel': deploymentCancelMigration,
  '0008-run-state': runStateMigration,
  '0009-release-config-vars': releaseConfigVarsMigration,
  '0010-release-runtime-prefix': releaseRuntimePrefixMigration,
  '0011-delivery': deliveryMigration,
  '0012-environments-approvals': environmentsApprovalsMigration,
  '0013-notifications': notificationsMigration,
  '0014-catalog-acl': catalogAclMigration,
  '0015-git-repositories': gitRepositoriesMigration,
  '0016-webhook-inbox': webhookInboxMigration,
  '0017-deployment-rules': deploymentRulesMigration,
  '0018-previews': previewsMigration,
  '0019-stacks': stacksMigration,
  '0020-logs': logsMigration,
  '0021-autoscaling': autoscaleMigration,
  '0022-domains-certificates': domainsMigration,
  '0023-alerts': alertsMigration,
  '0024-deferred-firings': deferredFiringsMigration,
  '0025-metric-samples': metricSampleMigration,
  '0026-log-drain-errors': logDrainErrorsMigration,
  '0028-domain-https': domainHttpsMigration,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies every pending migration; a no-op when the schema is current. Errors: `INTERNAL` naming the failed migration. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = (results ?? []).filter((result) => result.status === 'Error').map((result) => result.migrationName);
    throw new SlipwayError(
      'INTERNAL',
      `database migration failed: ${failed.join(', ') || 'before any migration ran'}`,
      {
        details: { failed },
        cause: error,
      },
    );
  }
}
