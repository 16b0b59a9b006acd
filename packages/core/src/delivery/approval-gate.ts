/**
 * The canary `approval` step's gate: the same approval request a deployment waits on, under the environment's policy
 * (or one approval by a deployer when it has none), made on the step's first evaluation and kept in the gate state.
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { expireIfDue, openApprovalRequest, refusalOf, withdrawApprovalRequest } from './approval-requests.js';
import type { Gate, GateContext, GateOutcome, GateRunner } from './rollout-model.js';

export type ApprovalGate = Extract<Gate, { kind: 'approval' }>;

/** What the gate keeps in `RolloutRecord.gateState`. */
export interface ApprovalGateState {
  requestId: string;
}

/** The gate key of a rollout step's request: one request per rollout and step. */
export function rolloutStepGateKey(rolloutId: string, stepIndex: number): string {
  return `rollout:${rolloutId}:${stepIndex}`;
}

function requestIdOf(state: unknown): string | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const id = (state as Partial<ApprovalGateState>).requestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The gate runner of `{ kind: 'approval' }` steps. `evaluate` is level-based and idempotent: the first call opens the
 * request (the step's `timeoutMs`, when set, replaces the policy's), later calls read it — `pending` while it waits,
 * `passed` once approved, `failed` when rejected, expired, superseded or cancelled. `release` cancels a pending
 * request (the step was promoted past or the rollout aborted); idempotent.
 */
export function createApprovalGateRunner(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'logger' | 'deliveryEvents'>,
): GateRunner<ApprovalGate> {
  const { store } = deps;
  return {
    async evaluate(gate: ApprovalGate, state: unknown, context: GateContext): Promise<GateOutcome> {
      let requestId = requestIdOf(state);
      if (requestId === undefined) {
        const deployment = await store.deployments.findById(context.rollout.deploymentId);
        const app = await store.apps.findById(context.app.id);
        if (!deployment || !app) {
          throw new SlipwayError('INTERNAL', `rollout ${context.rollout.id} has no deployment or app to approve`);
        }
        const release = (await store.releases.findById(context.rollout.releaseId)) ?? null;
        const request = await openApprovalRequest(deps, {
          gateKey: rolloutStepGateKey(context.rollout.id, context.rollout.stepIndex),
          purpose: 'rollout-step',
          deployment,
          release,
          policy: await store.approvalPolicies.find(context.app.id, context.environment.id),
          ...(gate.timeoutMs === null ? {} : { timeoutMs: gate.timeoutMs }),
          app,
          environment: context.environment,
        });
        requestId = request.id;
      }
      const stored = await store.approvalRequests.findById(requestId);
      if (!stored) return { status: 'failed', message: `approval ${requestId} no longer exists`, state: { requestId } };
      const request = await expireIfDue(deps, store, stored);
      switch (request.state) {
        case 'pending':
          return { status: 'pending', message: `waiting for approval ${request.id}`, state: { requestId } };
        case 'approved':
          return { status: 'passed', message: `approval ${request.id} granted`, state: { requestId } };
        case 'rejected':
        case 'expired':
        case 'superseded':
        case 'cancelled':
          return { status: 'failed', message: refusalOf(request).message, state: { requestId } };
      }
    },
    async release(_gate: ApprovalGate, state: unknown, context: GateContext): Promise<void> {
      const requestId = requestIdOf(state);
      if (requestId === undefined) return;
      await withdrawApprovalRequest(deps, store, requestId, 'cancelled', `rollout ${context.rollout.id} left the step`);
    },
  };
}
