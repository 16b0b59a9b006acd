/** The autoscaler's table as Kysely sees it (migration `0021-autoscaling`); part of `Database`. */
import type { BigIntColumn } from './database.js';

export interface AutoscaleDecisionTable {
  id: string;
  app_id: string;
  environment_id: string;
  process: string;
  at_ms: BigIntColumn;
  /** JSON `AutoscaleDecision`. */
  decision: string;
}

export interface AutoscaleTables {
  autoscale_decisions: AutoscaleDecisionTable;
}
