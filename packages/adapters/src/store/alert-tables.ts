/** The alert tables as Kysely sees them (migration `0023-alerts`); part of `Database`. */
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface AlertRuleTable {
  id: string;
  project_id: string;
  app_id: string | null;
  environment_id: string | null;
  kind: string;
  threshold: number | null;
  for_ms: BigIntColumn;
  min_requests: number | null;
  /** Set on a project's built-in rule; unique per project. */
  default_kind: string | null;
  /** 1 or 0 (no booleans in the schema). */
  is_enabled: number;
  created_at_ms: BigIntColumn;
}

export interface AlertTable {
  id: string;
  rule_id: string;
  project_id: string;
  kind: string;
  subject_key: string;
  subject: string;
  app_id: string | null;
  environment_id: string | null;
  state: 'pending' | 'firing' | 'resolved';
  active_at_ms: BigIntColumn;
  fired_at_ms: NullableBigIntColumn;
  resolved_at_ms: NullableBigIntColumn;
  value: number | null;
  threshold: number | null;
  message: string;
  updated_at_ms: BigIntColumn;
}

export interface AlertTables {
  alert_rules: AlertRuleTable;
  alerts: AlertTable;
}
