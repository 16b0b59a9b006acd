/**
 * Approval gates as records: an app environment's policy, the requests deployments (and canary `approval` steps)
 * wait on, and each user's decision on a request. Times are epoch milliseconds.
 */
import type { ApprovalState, Approver, Strategy } from '@slipway/contract';

/** Who must approve what before a deployment to one app environment rolls out. */
export interface ApprovalPolicyRecord {
  appId: string;
  environmentId: string;
  /** Distinct eligible approvals needed (default 1). */
  requiredApprovals: number;
  /** Users by name, roles on the app's project; empty: anyone holding `deployer` or more on the project. */
  approvers: Approver[];
  /** The deployment's author cannot approve it (default true). */
  preventSelfApproval: boolean;
  /** Approvals count only this long after the request was made (default 0). */
  waitTimerMs: number;
  /** A request still pending this long after it was made is rejected as `expired` (default 72 h). */
  timeoutMs: number;
  /** Full-ref globs (`refs/heads/release/*`); when any is set, a deployment of another ref is refused. */
  refPatterns: string[];
  updatedAtMs: number;
}

/** The rules a request was made under: the policy as it was then, so a later edit never changes a pending vote. */
export type ApprovalRules = Pick<
  ApprovalPolicyRecord,
  'requiredApprovals' | 'approvers' | 'preventSelfApproval' | 'waitTimerMs' | 'timeoutMs'
>;

export type ApprovalPurpose = 'deployment' | 'rollout-step';

export interface ApprovalRequestRecord {
  id: string;
  appId: string;
  environmentId: string;
  deploymentId: string;
  purpose: ApprovalPurpose;
  /** Unique: `deployment:<id>` or `rollout:<id>:<step>`, so a resumed gate finds its request instead of making one. */
  gateKey: string;
  releaseId: string | null;
  releaseNumber: number | null;
  /** The full ref deployed (`refs/heads/main`), when the source has one. */
  ref: string | null;
  commit: string | null;
  /** The deployment's author (user name); null when unknown. */
  requestedBy: string | null;
  rules: ApprovalRules;
  state: ApprovalState;
  /** Why it left `pending`; null while pending. */
  reason: string | null;
  createdAtMs: number;
  notBeforeMs: number;
  expiresAtMs: number;
  decidedAtMs: number | null;
}

export interface ApprovalDecisionRecord {
  requestId: string;
  actorUserId: string;
  /** The user name, as the audit log names the actor. */
  actor: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  atMs: number;
}

/** The strategy that replaces the manifest's `strategy` for one app environment. */
export interface EnvironmentStrategyRecord {
  appId: string;
  environmentId: string;
  strategy: Strategy;
  updatedAtMs: number;
}
