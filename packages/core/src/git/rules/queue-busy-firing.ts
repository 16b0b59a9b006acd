/**
 * A push whose environment is busy (a deployment still runs there) is not lost and not refused: it is queued under its
 * firing key and deploys when that deployment ends (`retryDeferredFirings`). One per key, so a newer push to the same
 * rule replaces the queued one and only the newest commit deploys, as on a branch that moves faster than it deploys.
 */
import type { CoreDeps } from '../../core-deps.js';
import type { DeferredFiringTarget, DeploymentRuleRecord } from './deployment-rule-records.js';
import {
  fireDeploymentRule,
  fireStackDeployment,
  type RuleFiringInput,
  type RuleFiringResult,
} from './fire-deployment-rule.js';

/** Runs the firing; queues it when the environment is busy, and drops what it queued before once a firing deploys. */
export async function queueIfBusy(
  deps: CoreDeps,
  firingKey: string,
  target: DeferredFiringTarget,
  input: RuleFiringInput,
  fire: () => Promise<RuleFiringResult>,
): Promise<RuleFiringResult> {
  const startedAtMs = deps.clock.nowMs();
  const result = await fire();
  const rules = deps.store.deploymentRules;
  if (result.status === 'deployed') {
    // Deployed now: whatever waited under this key is older (a push queued meanwhile is kept).
    await rules.deleteDeferredFiringQueuedBy(firingKey, startedAtMs);
    return result;
  }
  if (result.status === 'duplicate') {
    await rules.deleteDeferredFiring(firingKey, input.commit);
    return result;
  }
  if (result.status !== 'failed' || result.code !== 'DEPLOYMENT_IN_PROGRESS') return result;
  await rules.deferFiring({
    firingKey,
    target,
    ref: input.ref,
    commit: input.commit,
    origin: input.origin,
    reason: result.reason,
    deferredAtMs: deps.clock.nowMs(),
  });
  deps.logger.info({ firingKey, ref: input.ref, commit: input.commit }, 'push queued behind a running deployment');
  return {
    status: 'queued',
    reason: `queued: ${result.reason} — it deploys when that ends, unless a newer push replaces it`,
  };
}

/** Fires a rule, queueing it while its environment is busy. */
export function fireRuleOrQueue(
  deps: CoreDeps,
  rule: DeploymentRuleRecord,
  input: RuleFiringInput,
): Promise<RuleFiringResult> {
  return queueIfBusy(deps, rule.id, { kind: 'rule', ruleId: rule.id }, input, () =>
    fireDeploymentRule(deps, rule, input),
  );
}

/** Deploys a stack that follows its ref (no rule of its own), queueing it while a stack deployment runs. */
export function fireFollowingStackOrQueue(
  deps: CoreDeps,
  stackId: string,
  input: RuleFiringInput,
): Promise<RuleFiringResult> {
  const firingKey = `stack-default:${stackId}`;
  return queueIfBusy(deps, firingKey, { kind: 'stack', stackId }, input, () =>
    fireStackDeployment(deps, firingKey, stackId, undefined, input),
  );
}
