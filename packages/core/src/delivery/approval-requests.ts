/**
 * Approval requests over their life: opened once per gate key (a resumed gate finds its request), expired when their
 * timeout passes, cancelled or superseded, and read back as a gate outcome. Shared by a deployment's wait before its
 * rollout (`approval-wait.ts`), a canary's `approval` step (`approval-gate.ts`) and the decisions (`use-cases/approvals.ts`).
 */
import { SlipwayError, type ErrorCode } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type {
  ApprovalPolicyRecord,
  ApprovalPurpose,
  ApprovalRequestRecord,
  ApprovalRules,
} from '../domain/approval-records.js';
import type { DeploymentRecord, ReleaseRecord } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';
import { fullRefOf, isRefAllowed } from './approval-rules.js';

/** What a request follows when its environment has no policy (a canary `approval` step still needs one approval). */
export const defaultApprovalRules: ApprovalRules = {
  requiredApprovals: 1,
  approvers: [],
  preventSelfApproval: true,
  waitTimerMs: 0,
  timeoutMs: 72 * 3_600_000,
};

/** The gate key of the wait a deployment does before its rollout. */
export function deploymentGateKey(deploymentId: string): string {
  return `deployment:${deploymentId}`;
}

/** The `EventBus` key decisions notify, so a waiting gate wakes at once. */
export function approvalKey(requestId: string): string {
  return `approval:${requestId}`;
}

export interface OpenApprovalInput {
  gateKey: string;
  purpose: ApprovalPurpose;
  deployment: DeploymentRecord;
  release: ReleaseRecord | null;
  policy: ApprovalPolicyRecord | undefined;
  /** Replaces the policy's timeout (a canary step's own `timeoutMs`). */
  timeoutMs?: number;
  app: { id: string; name: string; projectId: string };
  environment: { id: string; name: string };
}

/**
 * The request of `input.gateKey`: the stored one, or a new one made under the policy's rules (or the defaults).
 * A deployment whose ref the policy does not let deploy gets a request rejected at once, for the record.
 * Publishes `approval.pending` for a new pending request. Idempotent per gate key, also under a race.
 */
export async function openApprovalRequest(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'logger' | 'deliveryEvents'>,
  input: OpenApprovalInput,
): Promise<ApprovalRequestRecord> {
  const existing = await deps.store.approvalRequests.findByGateKey(input.gateKey);
  if (existing) return existing;
  const now = deps.clock.nowMs();
  const policyRules: ApprovalRules =
    input.policy === undefined
      ? defaultApprovalRules
      : {
          requiredApprovals: input.policy.requiredApprovals,
          approvers: input.policy.approvers,
          preventSelfApproval: input.policy.preventSelfApproval,
          waitTimerMs: input.policy.waitTimerMs,
          timeoutMs: input.policy.timeoutMs,
        };
  const rules = input.timeoutMs === undefined ? policyRules : { ...policyRules, timeoutMs: input.timeoutMs };
  const source = input.release?.source ?? input.deployment.sourceView;
  const ref = fullRefOf(source);
  const refPatterns = input.purpose === 'deployment' ? (input.policy?.refPatterns ?? []) : [];
  const isAllowed = isRefAllowed(refPatterns, ref);
  const record: ApprovalRequestRecord = {
    id: deps.ids.next('apr'),
    appId: input.app.id,
    environmentId: input.environment.id,
    deploymentId: input.deployment.id,
    purpose: input.purpose,
    gateKey: input.gateKey,
    releaseId: input.release?.id ?? null,
    releaseNumber: input.release?.number ?? null,
    ref,
    commit: source?.kind === 'git' ? (source.commit ?? null) : null,
    requestedBy: input.deployment.requestedBy ?? null,
    rules,
    state: isAllowed ? 'pending' : 'rejected',
    reason: isAllowed ? null : refRefusal(ref, refPatterns),
    createdAtMs: now,
    notBeforeMs: now + rules.waitTimerMs,
    expiresAtMs: now + rules.timeoutMs,
    decidedAtMs: isAllowed ? null : now,
  };
  try {
    await deps.store.approvalRequests.insert(record);
  } catch (error) {
    // Another run of the same gate made it first: that one is the request.
    const raced = await deps.store.approvalRequests.findByGateKey(input.gateKey);
    if (raced) return raced;
    throw error;
  }
  deps.logger.info(
    { requestId: record.id, deploymentId: record.deploymentId, state: record.state },
    'approval requested',
  );
  if (record.state === 'pending') {
    deps.deliveryEvents?.publish({
      id: `${record.id}:pending`,
      kind: 'approval.pending',
      projectId: input.app.projectId,
      environmentId: input.environment.id,
      appId: input.app.id,
      app: input.app.name,
      environment: input.environment.name,
      deploymentId: record.deploymentId,
      releaseNumber: record.releaseNumber,
      message: `${input.app.name} (${input.environment.name})${record.releaseNumber === null ? '' : ` release ${record.releaseNumber}`} waits for approval ${record.id}`,
      atMs: now,
    });
  }
  return record;
}

export function refRefusal(ref: string | null, refPatterns: readonly string[]): string {
  return `${ref === null ? 'a source without a git ref' : `ref ${ref}`} may not deploy here (allowed: ${refPatterns.join(', ')})`;
}

/** Marks a pending request past its `expiresAtMs` as `expired`; returns the request as stored afterwards. */
export async function expireIfDue(
  deps: Pick<CoreDeps, 'clock'>,
  repos: Repositories,
  request: ApprovalRequestRecord,
): Promise<ApprovalRequestRecord> {
  const now = deps.clock.nowMs();
  if (request.state !== 'pending' || now < request.expiresAtMs) return request;
  const hours = Math.round((request.rules.timeoutMs / 3_600_000) * 100) / 100;
  await repos.approvalRequests.settle(request.id, {
    state: 'expired',
    reason: `no decision within ${hours} h`,
    decidedAtMs: now,
  });
  return (await repos.approvalRequests.findById(request.id)) ?? request;
}

/**
 * Settles a pending request as `cancelled` or `superseded` with its reason; true when it did, false when it was
 * settled already (left as it is). Wakes no waiter: call it in a transaction, and notify `approvalKey` after commit.
 */
export async function withdrawApprovalRequest(
  deps: Pick<CoreDeps, 'clock'>,
  repos: Repositories,
  requestId: string,
  state: 'cancelled' | 'superseded',
  reason: string,
): Promise<boolean> {
  return repos.approvalRequests.settle(requestId, { state, reason, decidedAtMs: deps.clock.nowMs() });
}

/** A request that is no longer pending and did not pass, as the coded error the deployment (or step) fails with. */
export function refusalOf(request: ApprovalRequestRecord): SlipwayError {
  const codes: Record<Exclude<ApprovalRequestRecord['state'], 'pending' | 'approved'>, ErrorCode> = {
    rejected: 'APPROVAL_REJECTED',
    expired: 'APPROVAL_EXPIRED',
    superseded: 'INTERRUPTED',
    cancelled: 'INTERRUPTED',
  };
  if (request.state === 'pending' || request.state === 'approved') {
    throw new SlipwayError('INTERNAL', `approval ${request.id} is ${request.state}, not refused`);
  }
  return new SlipwayError(
    codes[request.state],
    `approval ${request.id} ${request.state}${request.reason === null ? '' : `: ${request.reason}`}`,
    { details: { requestId: request.id, state: request.state } },
  );
}
