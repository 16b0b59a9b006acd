/**
 * Migration `0025-metric-samples`: the metrics history slipwayd samples — each release's traffic (counts, latency
 * histogram and percentiles of one interval) and each instance's CPU and memory — pruned by age and by rows per app.
 * Schema builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

const cascade = 'cascade';

export const metricSampleMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('traffic_samples')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('release_number', 'integer', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('interval_ms', 'bigint', (c) => c.notNull())
      .addColumn('requests', 'bigint', (c) => c.notNull())
      .addColumn('errors', 'bigint', (c) => c.notNull())
      .addColumn('latency', 'text', (c) => c.notNull())
      .addColumn('latency_p50_ms', 'double precision')
      .addColumn('latency_p95_ms', 'double precision')
      .addColumn('latency_p99_ms', 'double precision')
      .addColumn('in_flight', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('traffic_samples_pk', ['app_id', 'environment_id', 'release_number', 'at_ms'])
      .addForeignKeyConstraint('traffic_samples_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('traffic_samples_environment_fk', ['environment_id'], 'environments', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();
    await db.schema
      .createIndex('traffic_samples_app_at_idx')
      .on('traffic_samples')
      .columns(['app_id', 'at_ms'])
      .execute();
    await db.schema.createIndex('traffic_samples_at_idx').on('traffic_samples').column('at_ms').execute();

    await db.schema
      .createTable('instance_samples')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('process', 'text', (c) => c.notNull())
      .addColumn('release_number', 'integer')
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('cpu_percent', 'double precision')
      .addColumn('memory_bytes', 'bigint')
      .addColumn('cpu_limit', 'double precision')
      .addColumn('memory_limit_bytes', 'bigint')
      .addPrimaryKeyConstraint('instance_samples_pk', ['instance_id', 'at_ms'])
      .addForeignKeyConstraint('instance_samples_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete(cascade))
      .addForeignKeyConstraint('instance_samples_environment_fk', ['environment_id'], 'environments', ['id'], (c) =>
        c.onDelete(cascade),
      )
      .execute();
    await db.schema
      .createIndex('instance_samples_app_at_idx')
      .on('instance_samples')
      .columns(['app_id', 'at_ms'])
      .execute();
    await db.schema.createIndex('instance_samples_at_idx').on('instance_samples').column('at_ms').execute();
  },
};
