/**
 * A deployment's wait for approval, after its release exists and before its rollout: approvers approve a concrete
 * release. The request is persisted, so a restarted slipwayd resumes the same wait; the wait holds no build slot; it
 * ends approved (the rollout starts), or with a coded failure (rejected, expired, ref not allowed), or cancelled
 * (cancel request, or a newer deployment superseding it).
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { ApprovalRequestRecord } from '../domain/approval-records.js';
import type { DeploymentRecord } from '../domain/records.js';
import {
  approvalKey,
  deploymentGateKey,
  expireIfDue,
  openApprovalRequest,
  refusalOf,
  withdrawApprovalRequest,
} from './approval-requests.js';
import { tallyDecisions } from './approval-rules.js';

/** How often a waiting deployment reads its request again when nothing woke it (a decision made by another node). */
export const approvalPollMs = 1_000;

export interface ApprovalWaitInput {
  deploymentId: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

/**
 * Resolves once the deployment may roll out: at once when its environment has no approval policy (and it never
 * waited), or a restart (which changes nothing). Errors: `APPROVAL_REJECTED`, `APPROVAL_EXPIRED`,
 * `APPROVAL_REF_NOT_ALLOWED`, `INTERRUPTED` (superseded or cancelled), or the signal's reason when it aborts. A
 * deployment that has a stored cancel request when the signal aborts cancels its pending request.
 */
export async function awaitDeploymentApproval(deps: CoreDeps, input: ApprovalWaitInput): Promise<void> {
  const { store } = deps;
  const deployment = await store.deployments.findById(input.deploymentId);
  if (!deployment || deployment.kind === 'restart') return;
  const gateKey = deploymentGateKey(deployment.id);
  let request = await store.approvalRequests.findByGateKey(gateKey);
  if (request === undefined) {
    const policy = await store.approvalPolicies.find(deployment.appId, deployment.environmentId);
    if (policy === undefined) return;
    request = await open(deps, deployment, policy);
    if (request.state === 'rejected') {
      throw new SlipwayError('APPROVAL_REF_NOT_ALLOWED', `${request.reason ?? 'the ref may not deploy here'}`, {
        details: { requestId: request.id, ref: request.ref },
      });
    }
  }
  if (request.state === 'pending') await markWaiting(deps, deployment.id, request, input.log);
  for (;;) {
    request = await expireIfDue(deps, store, (await store.approvalRequests.findById(request.id)) ?? request);
    if (request.state === 'approved') {
      input.log(`approval ${request.id} granted${request.reason === null ? '' : `: ${request.reason}`}`);
      return;
    }
    if (request.state !== 'pending') throw refusalOf(request);
    // A cancel asked where no signal reaches this run (another node, a worker that missed the wake-up) ends it too.
    const cancellation = (await store.deployments.findById(deployment.id))?.cancellation ?? null;
    if (cancellation !== null) {
      await withdrawApprovalRequest(deps, store, request.id, 'cancelled', `deployment cancelled by ${cancellation.by}`);
      throw new SlipwayError('INTERRUPTED', `deployment cancelled by ${cancellation.by}`);
    }
    try {
      await sleepUntilWoken(
        deps,
        approvalKey(request.id),
        Math.min(approvalPollMs, request.expiresAtMs - deps.clock.nowMs()),
        input.signal,
      );
    } catch (error) {
      const cancellation = (await store.deployments.findById(deployment.id))?.cancellation ?? null;
      if (cancellation !== null) {
        await withdrawApprovalRequest(
          deps,
          store,
          request.id,
          'cancelled',
          `deployment cancelled by ${cancellation.by}`,
        );
      }
      throw error;
    }
  }
}

async function open(
  deps: CoreDeps,
  deployment: DeploymentRecord,
  policy: Awaited<ReturnType<CoreDeps['store']['approvalPolicies']['find']>>,
): Promise<ApprovalRequestRecord> {
  const app = await deps.store.apps.findById(deployment.appId);
  const environment = await deps.store.environments.findById(deployment.environmentId);
  if (!app || !environment) throw new SlipwayError('INTERNAL', `deployment ${deployment.id} has no app or environment`);
  const release =
    deployment.releaseId === null ? null : ((await deps.store.releases.findById(deployment.releaseId)) ?? null);
  return openApprovalRequest(deps, {
    gateKey: deploymentGateKey(deployment.id),
    purpose: 'deployment',
    deployment,
    release,
    policy,
    app,
    environment,
  });
}

/** Says in the deployment's log and its running phase's detail what it waits for, and how to decide. */
async function markWaiting(
  deps: CoreDeps,
  deploymentId: string,
  request: ApprovalRequestRecord,
  log: (line: string) => void,
): Promise<void> {
  const decisions = await deps.store.approvalDecisions.listByRequest(request.id);
  const { approvals } = tallyDecisions(request.rules, decisions);
  log(
    `waiting for approval ${request.id}: ${approvals} of ${request.rules.requiredApprovals} approval(s); expires ${new Date(request.expiresAtMs).toISOString()} (slipway approvals approve ${request.id})`,
  );
  const phases = await deps.store.phases.list(deploymentId);
  const running = phases.filter((p) => p.state === 'running').at(-1);
  if (running) await deps.store.phases.update({ ...running, detail: `waiting for approval ${request.id}` });
}

/** Sleeps `ms` (at least 1), or less when `key` is notified; rejects with the signal's reason when it aborts. */
async function sleepUntilWoken(deps: CoreDeps, key: string, ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const woken = new AbortController();
  const unsubscribe = deps.events.subscribe(key, () => woken.abort());
  try {
    await deps.clock.sleep(Math.max(1, ms), AbortSignal.any([signal, woken.signal]));
  } catch (error) {
    if (signal.aborted) throw error;
    if (!woken.signal.aborted) throw isSlipwayError(error) ? error : new SlipwayError('INTERNAL', String(error));
  } finally {
    unsubscribe();
  }
}
