/**
 * Approval policies per app environment, and the requests deployments wait on: list them, approve or reject one.
 * A decision is refused, changing nothing, when the caller is not an eligible approver (`APPROVAL_NOT_ELIGIBLE`), is
 * the deployment's author under a policy that prevents self-approval (`APPROVAL_SELF_REVIEW`), when the request is
 * no longer pending (`APPROVAL_NOT_PENDING`) or, for an approval, while its wait timer runs (`APPROVAL_WAIT_TIMER`).
 */
import {
  SlipwayError,
  approvalPolicyBodySchema,
  type ApprovalPolicyBody,
  type ApprovalPolicyView,
  type ApprovalRequestView,
} from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { ApprovalPolicyRecord, ApprovalRequestRecord } from '../domain/approval-records.js';
import type { Repositories } from '../ports/store.js';
import { approvalKey, expireIfDue } from '../delivery/approval-requests.js';
import { eligibilityOf, tallyDecisions, type ApprovalActor } from '../delivery/approval-rules.js';
import { getApp, getAppScope } from './lookups.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function policyView(app: string, environment: string, policy: ApprovalPolicyRecord): ApprovalPolicyView {
  return {
    app,
    environment,
    requiredApprovals: policy.requiredApprovals,
    approvers: policy.approvers,
    preventSelfApproval: policy.preventSelfApproval,
    waitTimerSeconds: Math.round(policy.waitTimerMs / 1000),
    timeoutSeconds: Math.round(policy.timeoutMs / 1000),
    refPatterns: policy.refPatterns,
    updatedAt: iso(policy.updatedAtMs),
  };
}

/** Sets (replaces) the environment's approval policy; omitted fields take their defaults. Errors: `VALIDATION_FAILED`. */
export async function setApprovalPolicy(
  deps: CoreDeps,
  input: { app: string; environment: string; policy: ApprovalPolicyBody },
): Promise<ApprovalPolicyView> {
  const parsed = approvalPolicyBodySchema.safeParse(input.policy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `invalid approval policy: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const body = parsed.data;
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const record: ApprovalPolicyRecord = {
    appId: scope.app.id,
    environmentId: scope.environment.id,
    requiredApprovals: body.requiredApprovals,
    approvers: body.approvers,
    preventSelfApproval: body.preventSelfApproval,
    waitTimerMs: body.waitTimerSeconds * 1000,
    timeoutMs: body.timeoutSeconds * 1000,
    refPatterns: body.refPatterns,
    updatedAtMs: deps.clock.nowMs(),
  };
  await deps.store.approvalPolicies.put(record);
  deps.logger.info({ app: input.app, environment: input.environment }, 'approval policy set');
  return policyView(scope.app.name, scope.environment.name, record);
}

/** The environment's policy. Errors: `APPROVAL_NOT_FOUND` when it has none. */
export async function getApprovalPolicy(
  deps: CoreDeps,
  input: { app: string; environment: string },
): Promise<ApprovalPolicyView> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const policy = await deps.store.approvalPolicies.find(scope.app.id, scope.environment.id);
  if (!policy) {
    throw new SlipwayError(
      'APPROVAL_NOT_FOUND',
      `"${input.app}" (${input.environment}) has no approval policy: deployments there need none`,
      { details: { app: input.app, environment: input.environment } },
    );
  }
  return policyView(scope.app.name, scope.environment.name, policy);
}

/** Removes the policy: later deployments need no approval (pending requests stay as they are). Idempotent. */
export async function clearApprovalPolicy(deps: CoreDeps, input: { app: string; environment: string }): Promise<void> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  await deps.store.approvalPolicies.delete(scope.app.id, scope.environment.id);
}

export interface ListApprovalsInput {
  app?: string;
  environment?: string;
  /** Every state, not only `pending`. */
  isAll: boolean;
  /** Only requests of projects the caller may read. */
  canRead: (projectId: string) => boolean;
  limit?: number;
}

/** Requests newest first (pending ones, or every one), of the projects `canRead` accepts. Errors: `APP_NOT_FOUND`. */
export async function listApprovals(deps: CoreDeps, input: ListApprovalsInput): Promise<ApprovalRequestView[]> {
  const app = input.app === undefined ? undefined : await getApp(deps.store, input.app);
  let environmentId: string | undefined;
  if (app && input.environment !== undefined) {
    environmentId = (await getAppScope(deps.store, app.name, input.environment)).environment.id;
  }
  const requests = await deps.store.approvalRequests.list(
    {
      ...(app === undefined ? {} : { appId: app.id }),
      ...(environmentId === undefined ? {} : { environmentId }),
      ...(input.isAll ? {} : { states: ['pending'] as const }),
    },
    input.limit ?? 200,
  );
  const views: ApprovalRequestView[] = [];
  for (const stored of requests) {
    const request = await expireIfDue(deps, deps.store, stored);
    if (!input.isAll && request.state !== 'pending') continue;
    const requestApp = await deps.store.apps.findById(request.appId);
    if (!requestApp || !input.canRead(requestApp.projectId)) continue;
    const environment = await deps.store.environments.findById(request.environmentId);
    if (input.environment !== undefined && environment?.name !== input.environment) continue;
    views.push(await approvalView(deps.store, request, requestApp.name, environment?.name ?? ''));
  }
  return views;
}

/** The project an approval request belongs to (for access checks); undefined when the request does not exist. */
export async function findApprovalProjectId(repos: Repositories, id: string): Promise<string | undefined> {
  const request = await repos.approvalRequests.findById(id);
  return request === undefined ? undefined : (await repos.apps.findById(request.appId))?.projectId;
}

export interface DecideApprovalInput {
  id: string;
  decision: 'approve' | 'reject';
  comment?: string;
  actor: ApprovalActor;
}

/**
 * Records the caller's decision and settles the request when it decides it (one reject rejects; distinct eligible
 * approvals reaching the required count approve). Returns the request afterwards. Errors: `APPROVAL_NOT_FOUND`,
 * `APPROVAL_NOT_PENDING` (also once expired), `APPROVAL_NOT_ELIGIBLE`, `APPROVAL_SELF_REVIEW`,
 * `APPROVAL_WAIT_TIMER`, `VALIDATION_FAILED` (this user decided already); nothing changes on an error.
 */
export async function decideApproval(deps: CoreDeps, input: DecideApprovalInput): Promise<ApprovalRequestView> {
  const found = await deps.store.approvalRequests.findById(input.id);
  if (!found) throw notFound(input.id);
  // Expiry is settled on its own first: a refused decision must not roll it back.
  await expireIfDue(deps, deps.store, found);
  const settled = await deps.store.transaction(async (tx) => {
    const request = await tx.approvalRequests.findById(input.id);
    if (!request) throw notFound(input.id);
    const app = await tx.apps.findById(request.appId);
    if (!app) throw notFound(input.id);
    if (request.state !== 'pending') {
      throw new SlipwayError(
        'APPROVAL_NOT_PENDING',
        `approval ${request.id} is ${request.state}${request.reason === null ? '' : ` (${request.reason})`}`,
        { details: { id: request.id, state: request.state } },
      );
    }
    const eligibility = eligibilityOf(request.rules, input.actor, app.projectId, request.requestedBy);
    if (eligibility === 'not-eligible') {
      throw new SlipwayError(
        'APPROVAL_NOT_ELIGIBLE',
        `${input.actor.userName} is not an eligible approver of ${request.id} (approvers: ${describeApprovers(request)})`,
        { details: { id: request.id } },
      );
    }
    if (eligibility === 'self-review') {
      throw new SlipwayError(
        'APPROVAL_SELF_REVIEW',
        `${input.actor.userName} asked for deployment ${request.deploymentId} and may not decide on its approval; another approver must`,
        { details: { id: request.id } },
      );
    }
    const now = deps.clock.nowMs();
    if (input.decision === 'approve' && now < request.notBeforeMs) {
      throw new SlipwayError(
        'APPROVAL_WAIT_TIMER',
        `approval ${request.id} counts approvals from ${iso(request.notBeforeMs)} (its wait timer); try again then`,
        { details: { id: request.id, notBefore: iso(request.notBeforeMs) } },
      );
    }
    await tx.approvalDecisions.insert({
      requestId: request.id,
      actorUserId: input.actor.userId,
      actor: input.actor.userName,
      decision: input.decision,
      comment: input.comment ?? null,
      atMs: now,
    });
    const decisions = await tx.approvalDecisions.listByRequest(request.id);
    const tally = tallyDecisions(request.rules, decisions);
    if (tally.rejectedBy !== undefined) {
      const comment = tally.rejectedBy.comment === null ? '' : `: ${tally.rejectedBy.comment}`;
      await tx.approvalRequests.settle(request.id, {
        state: 'rejected',
        reason: `rejected by ${tally.rejectedBy.actor}${comment}`,
        decidedAtMs: now,
      });
    } else if (tally.isApproved) {
      const by = decisions.filter((d) => d.decision === 'approve').map((d) => d.actor);
      await tx.approvalRequests.settle(request.id, {
        state: 'approved',
        reason: `approved by ${by.join(', ')}`,
        decidedAtMs: now,
      });
    }
    return (await tx.approvalRequests.findById(request.id)) ?? request;
  });
  deps.events.notify(approvalKey(settled.id));
  deps.logger.info({ requestId: settled.id, decision: input.decision, state: settled.state }, 'approval decision');
  const app = await deps.store.apps.findById(settled.appId);
  const environment = await deps.store.environments.findById(settled.environmentId);
  return approvalView(deps.store, settled, app?.name ?? '', environment?.name ?? '');
}

function notFound(id: string): SlipwayError {
  return new SlipwayError('APPROVAL_NOT_FOUND', `no approval request with id "${id}"`, { details: { id } });
}

function describeApprovers(request: ApprovalRequestRecord): string {
  if (request.rules.approvers.length === 0) return 'anyone with deployer or more on the project';
  return request.rules.approvers.map((a) => `${a.kind}:${a.id}`).join(', ');
}

async function approvalView(
  repos: Repositories,
  request: ApprovalRequestRecord,
  app: string,
  environment: string,
): Promise<ApprovalRequestView> {
  const decisions = await repos.approvalDecisions.listByRequest(request.id);
  return {
    id: request.id,
    app,
    environment,
    purpose: request.purpose,
    deploymentId: request.deploymentId,
    releaseNumber: request.releaseNumber,
    ref: request.ref,
    commit: request.commit,
    requestedBy: request.requestedBy,
    state: request.state,
    reason: request.reason,
    requiredApprovals: request.rules.requiredApprovals,
    approvals: tallyDecisions(request.rules, decisions).approvals,
    decisions: decisions.map((d) => ({ actor: d.actor, decision: d.decision, comment: d.comment, at: iso(d.atMs) })),
    createdAt: iso(request.createdAtMs),
    notBefore: iso(request.notBeforeMs),
    expiresAt: iso(request.expiresAtMs),
    decidedAt: request.decidedAtMs === null ? null : iso(request.decidedAtMs),
  };
}
