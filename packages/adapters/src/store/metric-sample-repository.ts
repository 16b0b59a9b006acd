/** The metrics history in SQL: samples appended in batches, read by window, pruned by age and by rows per app. */
import type {
  InstanceSampleRecord,
  MetricSampleRepository,
  MetricSampleWindow,
  TrafficSampleRecord,
} from '@slipway/core';
import {
  expressionBuilder,
  sql,
  type Expression,
  type Insertable,
  type Kysely,
  type Selectable,
  type SqlBool,
} from 'kysely';
import { fromBigInt, fromJson, fromNullableBigInt, toJson } from './column-codec.js';
import type { Database } from './database.js';
import type { InstanceSampleTable, TrafficSampleTable } from './metric-sample-tables.js';

/** Rows per insert statement: well under SQLite's bound on parameters (32766) at 12 columns a row. */
const batchRows = 200;

function toTraffic(row: Selectable<TrafficSampleTable>): TrafficSampleRecord {
  const latency = fromJson<{ bucketsUs: number[]; counts: number[] }>(row.latency);
  return {
    appId: row.app_id,
    environmentId: row.environment_id,
    releaseNumber: row.release_number,
    atMs: fromBigInt(row.at_ms),
    intervalMs: fromBigInt(row.interval_ms),
    requests: fromBigInt(row.requests),
    errors: fromBigInt(row.errors),
    latencyCounts: latency.counts,
    latencyBucketsUs: latency.bucketsUs,
    latencyP50Ms: row.latency_p50_ms,
    latencyP95Ms: row.latency_p95_ms,
    latencyP99Ms: row.latency_p99_ms,
    inFlight: row.in_flight,
  };
}

function trafficRowOf(r: TrafficSampleRecord): Insertable<TrafficSampleTable> {
  return {
    app_id: r.appId,
    environment_id: r.environmentId,
    release_number: r.releaseNumber,
    at_ms: r.atMs,
    interval_ms: r.intervalMs,
    requests: r.requests,
    errors: r.errors,
    latency: toJson({ bucketsUs: r.latencyBucketsUs, counts: r.latencyCounts }),
    latency_p50_ms: r.latencyP50Ms,
    latency_p95_ms: r.latencyP95Ms,
    latency_p99_ms: r.latencyP99Ms,
    in_flight: r.inFlight,
  };
}

function toInstance(row: Selectable<InstanceSampleTable>): InstanceSampleRecord {
  return {
    appId: row.app_id,
    environmentId: row.environment_id,
    instanceId: row.instance_id,
    process: row.process,
    releaseNumber: row.release_number,
    atMs: fromBigInt(row.at_ms),
    cpuPercent: row.cpu_percent,
    memoryBytes: fromNullableBigInt(row.memory_bytes),
    cpuLimit: row.cpu_limit,
    memoryLimitBytes: fromNullableBigInt(row.memory_limit_bytes),
  };
}

function instanceRowOf(r: InstanceSampleRecord): Insertable<InstanceSampleTable> {
  return {
    app_id: r.appId,
    environment_id: r.environmentId,
    instance_id: r.instanceId,
    process: r.process,
    release_number: r.releaseNumber,
    at_ms: r.atMs,
    cpu_percent: r.cpuPercent,
    memory_bytes: r.memoryBytes,
    cpu_limit: r.cpuLimit,
    memory_limit_bytes: r.memoryLimitBytes,
  };
}

/** Inserts `records` with one statement per `batchRows`, one batch after the other. */
async function insertInBatches<T>(records: readonly T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let at = 0; at < records.length; at += batchRows) await insert(records.slice(at, at + batchRows));
}

/** The app's samples of the window's environment in `[sinceMs, untilMs)`: the same columns in either table. */
function inWindowOf(
  appId: string,
  window: Pick<MetricSampleWindow, 'environmentId' | 'sinceMs' | 'untilMs'>,
): Expression<SqlBool> {
  const eb = expressionBuilder<Database, 'traffic_samples' | 'instance_samples'>();
  return eb.and([
    eb('app_id', '=', appId),
    eb('environment_id', '=', window.environmentId),
    eb('at_ms', '>=', window.sinceMs),
    eb('at_ms', '<', window.untilMs),
  ]);
}

export function createMetricSampleRepository(db: Kysely<Database>): MetricSampleRepository {
  /** The time of the newest sample of the app beyond its `maxRows` newest in `table`; undefined when none is. */
  const newestDroppedAtMs = async (
    table: 'traffic_samples' | 'instance_samples',
    appId: string,
    maxRows: number,
  ): Promise<number | undefined> => {
    const row = await db
      .selectFrom(table)
      .select('at_ms')
      .where('app_id', '=', appId)
      .orderBy('at_ms', 'desc')
      .offset(maxRows)
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : fromBigInt(row.at_ms);
  };

  return {
    insertTraffic: (records) =>
      insertInBatches(records, (batch) => db.insertInto('traffic_samples').values(batch.map(trafficRowOf)).execute()),
    insertInstances: (records) =>
      insertInBatches(records, (batch) => db.insertInto('instance_samples').values(batch.map(instanceRowOf)).execute()),
    async listTraffic(appId, window) {
      const rows = await db
        .selectFrom('traffic_samples')
        .selectAll()
        .where(inWindowOf(appId, window))
        .orderBy('at_ms')
        .orderBy('release_number')
        .limit(window.limit)
        .execute();
      return rows.map(toTraffic);
    },
    async listInstances(appId, window) {
      const rows = await db
        .selectFrom('instance_samples')
        .selectAll()
        .where(inWindowOf(appId, window))
        .orderBy('at_ms')
        .orderBy('instance_id')
        .limit(window.limit)
        .execute();
      return rows.map(toInstance);
    },
    async listInstanceSteps(appId, window) {
      const inWindow = db.selectFrom('instance_samples').where(inWindowOf(appId, window));
      // Integer division in SQLite and PostgreSQL alike: integer literals (a bound number is a real in SQLite), safe
      // to inline as they are whole numbers made here, never text.
      const step = sql<
        number | string
      >`(at_ms - ${sql.lit(Math.trunc(window.sinceMs))}) / ${sql.lit(Math.max(1, Math.trunc(window.stepMs)))}`;
      const steps = await inWindow
        .select((eb) => [
          'instance_id',
          step.as('step'),
          eb.fn.avg<number | string | null>('cpu_percent').as('cpu_percent'),
          eb.fn.avg<number | string | null>('memory_bytes').as('memory_bytes'),
        ])
        .groupBy(['instance_id', step])
        .orderBy('instance_id')
        .orderBy(step)
        .execute();
      const newest = await inWindow
        .selectAll()
        .where((eb) =>
          eb(
            'at_ms',
            '=',
            eb
              .selectFrom('instance_samples as other')
              .select((o) => o.fn.max('other.at_ms').as('newest'))
              .whereRef('other.instance_id', '=', 'instance_samples.instance_id')
              .where('other.at_ms', '>=', window.sinceMs)
              .where('other.at_ms', '<', window.untilMs),
          ),
        )
        .orderBy('instance_id')
        .execute();
      const nullableNumber = (value: number | string | null) => (value === null ? null : Number(value));
      return {
        steps: steps.map((row) => ({
          instanceId: row.instance_id,
          step: Number(row.step),
          cpuPercent: nullableNumber(row.cpu_percent),
          memoryBytes: nullableNumber(row.memory_bytes),
        })),
        latest: newest.map(toInstance),
      };
    },
    async pruneBefore(beforeMs) {
      let deleted = 0;
      for (const table of ['traffic_samples', 'instance_samples'] as const) {
        const result = await db.deleteFrom(table).where('at_ms', '<', beforeMs).executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
    },
    async pruneToRows(appId, maxRows) {
      let deleted = 0;
      for (const table of ['traffic_samples', 'instance_samples'] as const) {
        const boundMs = await newestDroppedAtMs(table, appId, maxRows);
        if (boundMs === undefined) continue;
        const result = await db
          .deleteFrom(table)
          .where('app_id', '=', appId)
          .where('at_ms', '<=', boundMs)
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
    },
  };
}
