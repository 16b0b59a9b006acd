/** The store's part for environments' settings and approval gates (migration `0012-environments-approvals`). */
import type {
  ApprovalDecisionRecord,
  ApprovalPolicyRecord,
  ApprovalRequestRecord,
  EnvironmentStrategyRecord,
} from '../domain/approval-records.js';

export interface ApprovalPolicyRepository {
  find(appId: string, environmentId: string): Promise<ApprovalPolicyRecord | undefined>;
  /** Inserts or replaces the app environment's policy. Idempotent. */
  put(record: ApprovalPolicyRecord): Promise<void>;
  /** Idempotent: deleting a missing policy resolves. */
  delete(appId: string, environmentId: string): Promise<void>;
}

export interface ApprovalRequestFilter {
  appId?: string;
  environmentId?: string;
  deploymentId?: string;
  states?: readonly ApprovalRequestRecord['state'][];
}

export interface ApprovalRequestRepository {
  /** Errors: `VALIDATION_FAILED` with details.conflict `gateKey` when a request with the same gate key exists. */
  insert(record: ApprovalRequestRecord): Promise<void>;
  findById(id: string): Promise<ApprovalRequestRecord | undefined>;
  findByGateKey(gateKey: string): Promise<ApprovalRequestRecord | undefined>;
  /** Newest first, at most `limit`. */
  list(filter: ApprovalRequestFilter, limit: number): Promise<ApprovalRequestRecord[]>;
  /**
   * Moves a `pending` request to `state` with its reason and time; true when it did, false when it was no longer
   * pending (someone settled it first): the first settlement wins.
   */
  settle(
    id: string,
    outcome: Pick<ApprovalRequestRecord, 'state' | 'reason'> & { decidedAtMs: number },
  ): Promise<boolean>;
}

export interface ApprovalDecisionRepository {
  /** Errors: `VALIDATION_FAILED` with details.conflict `actor` when this user decided on the request already. */
  insert(record: ApprovalDecisionRecord): Promise<void>;
  /** In the order they were made. */
  listByRequest(requestId: string): Promise<ApprovalDecisionRecord[]>;
}

export interface EnvironmentStrategyRepository {
  find(appId: string, environmentId: string): Promise<EnvironmentStrategyRecord | undefined>;
  /** Inserts or replaces. Idempotent. */
  put(record: EnvironmentStrategyRecord): Promise<void>;
  /** Idempotent. */
  delete(appId: string, environmentId: string): Promise<void>;
}
