/**
 * One pass over the queued firings (pushes that found their environment busy): each fires again as it would have;
 * one still blocked stays queued, one that deployed, was deployed already or failed for another reason leaves the
 * queue (a failure is logged and reported), and one whose rule, stack or implicit rule is gone (or a disabled rule)
 * is dropped. slipwayd runs a pass every second or so; the queue is usually empty, so a pass is one read.
 */
import type { CoreDeps } from '../../core-deps.js';
import type { GitEventOrigin } from '../git-event.js';
import type { DeferredFiringRecord } from './deployment-rule-records.js';
import type { RuleFiringResult } from './fire-deployment-rule.js';
import { applyHostedImplicitRule } from './hosted-implicit-rule.js';
import { fireFollowingStackOrQueue, fireRuleOrQueue } from './queue-busy-firing.js';
import type { ReconcileReport } from './reconcile-rule-heads.js';
import { asTrigger } from '../../deployment/trigger-span.js';

/** One pass; the deployments it starts are traced under one `git.queued-push` span. */
export function retryDeferredFirings(deps: CoreDeps, signal?: AbortSignal): Promise<ReconcileReport> {
  return asTrigger(deps, 'git.queued-push', {}, () => retryPass(deps, signal));
}

async function retryPass(deps: CoreDeps, signal: AbortSignal | undefined): Promise<ReconcileReport> {
  const report: { deployed: ReconcileReport['deployed'][number][]; failed: ReconcileReport['failed'][number][] } = {
    deployed: [],
    failed: [],
  };
  const rules = deps.store.deploymentRules;
  for (const queued of await rules.listDeferredFirings()) {
    if (signal?.aborted === true) break;
    const result = await refire(deps, queued);
    if (result === undefined) {
      await rules.deleteDeferredFiring(queued.firingKey, queued.commit);
      deps.logger.info({ firingKey: queued.firingKey }, 'queued push dropped: its rule or target is gone or disabled');
      continue;
    }
    if (result.status === 'queued') continue;
    await rules.deleteDeferredFiring(queued.firingKey, queued.commit);
    if (result.status === 'deployed') {
      const { firingKey: ruleId, ref, commit } = queued;
      report.deployed.push({ ruleId, ref, commit, deploymentIds: result.deploymentIds });
      deps.logger.info({ ruleId, ref, commit, deploymentIds: result.deploymentIds }, 'queued push deployed');
    } else if (result.status === 'failed') {
      report.failed.push({ ruleId: queued.firingKey, reason: result.reason });
      deps.logger.warn({ ruleId: queued.firingKey, reason: result.reason }, 'queued push failed to deploy');
    }
  }
  return { ...report, unreachable: [] };
}

async function refire(deps: CoreDeps, queued: DeferredFiringRecord): Promise<RuleFiringResult | undefined> {
  const input = { ref: queued.ref, commit: queued.commit, origin: queued.origin as GitEventOrigin };
  const { target } = queued;
  switch (target.kind) {
    case 'rule': {
      const rule = await deps.store.deploymentRules.findById(target.ruleId);
      return rule?.isEnabled === true ? fireRuleOrQueue(deps, rule, input) : undefined;
    }
    case 'stack': {
      const stack = await deps.store.stacks.findById(target.stackId);
      return stack?.source.kind === 'repository' ? fireFollowingStackOrQueue(deps, stack.id, input) : undefined;
    }
    case 'hosted': {
      // The implicit rule holds only while no rule reads the repository.
      if ((await deps.store.deploymentRules.listByRepository(target.repositoryId)).length > 0) return undefined;
      const applied = await applyHostedImplicitRule(deps, target.repositoryId, input);
      return applied?.result.status === 'no-match' ? undefined : applied?.result;
    }
  }
}
