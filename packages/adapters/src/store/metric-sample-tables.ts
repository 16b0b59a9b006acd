/** The metrics history's tables as Kysely sees them (migration `0025-metric-samples`); part of `Database`. */
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface TrafficSampleTable {
  app_id: string;
  environment_id: string;
  release_number: number;
  at_ms: BigIntColumn;
  interval_ms: BigIntColumn;
  requests: BigIntColumn;
  errors: BigIntColumn;
  /** JSON `{ bucketsUs: number[], counts: number[] }`. */
  latency: string;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  in_flight: number;
}

export interface InstanceSampleTable {
  app_id: string;
  environment_id: string;
  instance_id: string;
  process: string;
  release_number: number | null;
  at_ms: BigIntColumn;
  cpu_percent: number | null;
  memory_bytes: NullableBigIntColumn;
  cpu_limit: number | null;
  memory_limit_bytes: NullableBigIntColumn;
}

export interface MetricSampleTables {
  traffic_samples: TrafficSampleTable;
  instance_samples: InstanceSampleTable;
}
