/** Environments' settings and approval gates as Kysely sees them (migration `0012-environments-approvals`). */
import type { ApprovalPurpose, ApprovalRequestRecord } from '@slipway/core';
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface EnvironmentStrategyTable {
  app_id: string;
  environment_id: string;
  /** JSON `Strategy`. */
  strategy: string;
  updated_at_ms: BigIntColumn;
}

export interface ApprovalPolicyTable {
  app_id: string;
  environment_id: string;
  required_approvals: number;
  /** JSON `Approver[]`. */
  approvers: string;
  /** 1 or 0. */
  prevent_self_approval: number;
  wait_timer_ms: BigIntColumn;
  timeout_ms: BigIntColumn;
  /** JSON `string[]`. */
  ref_patterns: string;
  updated_at_ms: BigIntColumn;
}

export interface ApprovalRequestTable {
  id: string;
  app_id: string;
  environment_id: string;
  deployment_id: string;
  purpose: ApprovalPurpose;
  gate_key: string;
  release_id: string | null;
  release_number: number | null;
  ref: string | null;
  commit_sha: string | null;
  requested_by: string | null;
  /** JSON `ApprovalRules`. */
  rules: string;
  state: ApprovalRequestRecord['state'];
  reason: string | null;
  created_at_ms: BigIntColumn;
  not_before_ms: BigIntColumn;
  expires_at_ms: BigIntColumn;
  decided_at_ms: NullableBigIntColumn;
}

export interface ApprovalDecisionTable {
  request_id: string;
  actor_user_id: string;
  actor: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  at_ms: BigIntColumn;
}

export interface ApprovalTables {
  environment_strategies: EnvironmentStrategyTable;
  approval_policies: ApprovalPolicyTable;
  approval_requests: ApprovalRequestTable;
  approval_decisions: ApprovalDecisionTable;
}
