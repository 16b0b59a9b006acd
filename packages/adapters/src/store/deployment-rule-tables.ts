/** The deployment-rule tables as Kysely sees them (migration `0017-deployment-rules`); part of `Database`. */
import type { DeploymentRuleEvent, DeploymentRuleTargetKind } from '@slipway/core';
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface DeploymentRuleTable {
  id: string;
  target_kind: DeploymentRuleTargetKind;
  target_id: string;
  /** The target's id again when it is an app (for the cascade); null for a stack. */
  app_id: string | null;
  repository_id: string;
  position: number;
  ref_pattern: string;
  event: DeploymentRuleEvent;
  environment_id: string | null;
  is_enabled: number;
  trigger_count: number;
  last_deployed_commit: string | null;
  last_deployed_ref: string | null;
  last_triggered_at_ms: NullableBigIntColumn;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface DeploymentRuleFiringTable {
  rule_id: string;
  commit_id: string;
  ref: string;
  origin: string;
  /** JSON array of deployment ids. */
  deployment_ids: string;
  fired_at_ms: BigIntColumn;
}

/** Migration `0024-deferred-firings`: a push that waits for its environment's running deployment to end. */
export interface DeferredFiringTable {
  firing_key: string;
  /** JSON: the `DeferredFiringTarget`. */
  target: string;
  ref: string;
  commit_id: string;
  origin: string;
  reason: string;
  deferred_at_ms: BigIntColumn;
}

export interface DeploymentRuleTables {
  deployment_rules: DeploymentRuleTable;
  deployment_rule_firings: DeploymentRuleFiringTable;
  deferred_firings: DeferredFiringTable;
}
