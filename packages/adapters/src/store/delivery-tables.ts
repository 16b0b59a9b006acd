/** The progressive-delivery tables as Kysely sees them (migration `0011-delivery`); part of `Database`. */
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface DesiredStateTable {
  app_id: string;
  environment_id: string;
  /** JSON: the release targets (release, scale, weight, matches, preview). */
  targets: string;
  sticky_cookie: string | null;
  version: number;
  updated_at_ms: BigIntColumn;
}

export interface RolloutTable {
  id: string;
  deployment_id: string;
  app_id: string;
  environment_id: string;
  release_id: string;
  stable_release_id: string | null;
  strategy: string;
  phase: string;
  pause_reason: string | null;
  message: string | null;
  failure_code: string | null;
  step_index: number;
  step_started_at_ms: BigIntColumn;
  /** JSON of the current gate's state, or null. */
  gate_state: string | null;
  /** JSON: the pending user control. */
  control: string;
  deadline_at_ms: NullableBigIntColumn;
  paused_at_ms: NullableBigIntColumn;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
  finished_at_ms: NullableBigIntColumn;
  version: number;
}

export interface DeliveryTables {
  desired_states: DesiredStateTable;
  rollouts: RolloutTable;
}
