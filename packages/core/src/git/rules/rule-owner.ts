/**
 * Whose rules a use case acts on — an app's (by name) or a stack's — and the views of rules, which name their owner,
 * repository and environment instead of ids.
 */
import { SlipwayError, type DeploymentRuleView } from '@slipway/contract';
import type { Repositories } from '../../ports/store.js';
import { getApp } from '../../use-cases/lookups.js';
import type { DeferredFiringRecord, DeploymentRuleRecord, DeploymentRuleTarget } from './deployment-rule-records.js';

/** An app by name, or a stack by name. */
export type RuleOwner = string | { readonly stack: string };

export interface ResolvedOwner {
  readonly target: DeploymentRuleTarget;
  readonly name: string;
  readonly projectId: string;
  /** The repository a stack is read from (its rules read it); null for a stack from a file, undefined for an app. */
  readonly stackRepositoryId?: string | null;
}

export async function resolveRuleOwner(repos: Repositories, owner: RuleOwner): Promise<ResolvedOwner> {
  if (typeof owner === 'string') {
    if ((await repos.apps.findByName(owner)) === undefined && (await repos.stacks.findByName(owner)) !== undefined) {
      throw new SlipwayError('APP_NOT_FOUND', `no app named "${owner}": "${owner}" is a stack (add --stack)`, {
        details: { app: owner },
      });
    }
    const app = await getApp(repos, owner);
    return { target: { kind: 'app', id: app.id }, name: app.name, projectId: app.projectId };
  }
  const stack = await repos.stacks.findByName(owner.stack);
  if (stack === undefined) {
    throw new SlipwayError('STACK_NOT_FOUND', `no stack named "${owner.stack}"`, { details: { stack: owner.stack } });
  }
  return {
    target: { kind: 'stack', id: stack.id },
    name: stack.name,
    projectId: stack.projectId,
    stackRepositoryId: stack.source.kind === 'repository' ? stack.source.repositoryId : null,
  };
}

/** How the CLI names the owner in a hint: `shop`, or `shop-stack --stack`. */
export function ownerArgument(owner: ResolvedOwner): string {
  return owner.target.kind === 'app' ? owner.name : `${owner.name} --stack`;
}

/** The owner's rule `ruleRef` names: its id (`rul_…`) or its position. Errors: `DEPLOYMENT_RULE_NOT_FOUND`. */
export async function getOwnedRule(
  repos: Repositories,
  ownerRef: RuleOwner,
  ruleRef: string,
): Promise<{ owner: ResolvedOwner; rule: DeploymentRuleRecord }> {
  const owner = await resolveRuleOwner(repos, ownerRef);
  const rules = await repos.deploymentRules.listByTarget(owner.target);
  const rule = /^\d+$/u.test(ruleRef)
    ? rules.find((r) => r.position === Number(ruleRef))
    : rules.find((r) => r.id === ruleRef);
  if (!rule) {
    throw new SlipwayError(
      'DEPLOYMENT_RULE_NOT_FOUND',
      `"${owner.name}" has no rule ${ruleRef} (slipway rules list ${ownerArgument(owner)})`,
      { details: { [owner.target.kind]: owner.name, rule: ruleRef } },
    );
  }
  return { owner, rule };
}

export async function ruleViews(
  repos: Repositories,
  owner: ResolvedOwner,
  rules: readonly DeploymentRuleRecord[],
): Promise<DeploymentRuleView[]> {
  const environments = new Map((await repos.environments.listByProject(owner.projectId)).map((e) => [e.id, e.name]));
  const repositories = new Map((await repos.gitRepositories.listByProject(owner.projectId)).map((r) => [r.id, r.name]));
  const queued = new Map((await repos.deploymentRules.listDeferredFirings()).map((q) => [q.firingKey, q]));
  return rules.map((rule) => ({
    id: rule.id,
    position: rule.position,
    target: { kind: owner.target.kind, name: owner.name },
    repository: repositories.get(rule.repositoryId) ?? rule.repositoryId,
    repositoryId: rule.repositoryId,
    refPattern: rule.refPattern,
    event: rule.event,
    environment: rule.environmentId === null ? null : (environments.get(rule.environmentId) ?? rule.environmentId),
    isEnabled: rule.isEnabled,
    triggerCount: rule.triggerCount,
    lastDeployedCommit: rule.lastDeployedCommit,
    lastDeployedRef: rule.lastDeployedRef,
    lastTriggeredAt: rule.lastTriggeredAtMs === null ? null : new Date(rule.lastTriggeredAtMs).toISOString(),
    queued: queuedView(queued.get(rule.id)),
    createdAt: new Date(rule.createdAtMs).toISOString(),
  }));
}

function queuedView(queued: DeferredFiringRecord | undefined): DeploymentRuleView['queued'] {
  if (queued === undefined) return null;
  const { ref, commit, reason } = queued;
  return { ref, commit, reason, since: new Date(queued.deferredAtMs).toISOString() };
}
