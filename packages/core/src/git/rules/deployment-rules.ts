/**
 * Use cases of an app's or a stack's deployment rules: list, add, enable or disable, move, remove, and the dry run
 * that says which rule a ref fires and why each earlier one does not (the same evaluation a push acts on).
 */
import {
  SlipwayError,
  type AddDeploymentRuleBody,
  type DeploymentRuleView,
  type TestDeploymentRulesResponse,
} from '@slipway/contract';
import type { CoreDeps } from '../../core-deps.js';
import type { Repositories } from '../../ports/store.js';
import { getAppScope } from '../../use-cases/lookups.js';
import type { DeploymentRuleRecord } from './deployment-rule-records.js';
import { evaluateDeploymentRules } from './evaluate-deployment-rules.js';
import { fullRefIssue } from './full-ref.js';
import { refGlobIssue } from './ref-glob.js';
import {
  getOwnedRule,
  ownerArgument,
  resolveRuleOwner,
  ruleViews,
  type ResolvedOwner,
  type RuleOwner,
} from './rule-owner.js';

type RuleDeps = Pick<CoreDeps, 'store' | 'ids' | 'clock'>;

/** At most this many rules per app or stack: each push reads them all. */
export const maxRulesPerTarget = 100;

export async function listDeploymentRules(
  deps: Pick<CoreDeps, 'store'>,
  ownerRef: RuleOwner,
): Promise<DeploymentRuleView[]> {
  const owner = await resolveRuleOwner(deps.store, ownerRef);
  return ruleViews(deps.store, owner, await deps.store.deploymentRules.listByTarget(owner.target));
}

export async function addDeploymentRule(
  deps: RuleDeps,
  ownerRef: RuleOwner,
  body: AddDeploymentRuleBody,
): Promise<DeploymentRuleView> {
  assertPattern(body);
  const event = body.event ?? 'push';
  const { owner, rule } = await deps.store.transaction(async (tx) => {
    const owner = await resolveRuleOwner(tx, ownerRef);
    const environmentId = await environmentOf(tx, owner, ownerRef, body.environment ?? 'production');
    const repositoryId = await repositoryOf(tx, owner, body.repository);
    const existing = await tx.deploymentRules.listByTarget(owner.target);
    if (existing.length >= maxRulesPerTarget) {
      throw new SlipwayError('VALIDATION_FAILED', `"${owner.name}" has ${maxRulesPerTarget} rules already`);
    }
    const position = Math.min(body.position ?? existing.length + 1, existing.length + 1);
    await renumber(deps, tx, existing, position);
    const now = deps.clock.nowMs();
    const record: DeploymentRuleRecord = {
      id: deps.ids.next('rul'),
      target: owner.target,
      repositoryId,
      position,
      refPattern: body.refPattern,
      event,
      environmentId,
      isEnabled: body.isEnabled ?? true,
      triggerCount: 0,
      lastDeployedCommit: null,
      lastDeployedRef: null,
      lastTriggeredAtMs: null,
      createdAtMs: now,
      updatedAtMs: now,
    };
    await tx.deploymentRules.insert(record);
    return { owner, rule: record };
  });
  return (await ruleViews(deps.store, owner, [rule]))[0] as DeploymentRuleView;
}

export async function setDeploymentRuleEnabled(
  deps: RuleDeps,
  input: { owner: RuleOwner; rule: string; isEnabled: boolean },
): Promise<DeploymentRuleView> {
  const { owner, rule } = await deps.store.transaction(async (tx) => {
    const { owner, rule } = await getOwnedRule(tx, input.owner, input.rule);
    const updated = { ...rule, isEnabled: input.isEnabled, updatedAtMs: deps.clock.nowMs() };
    if (rule.isEnabled !== input.isEnabled) await tx.deploymentRules.update(updated);
    return { owner, rule: updated };
  });
  return (await ruleViews(deps.store, owner, [rule]))[0] as DeploymentRuleView;
}

/** Moves the rule to `position` (clamped to the last), shifting the others; the order is what decides. */
export async function moveDeploymentRule(
  deps: RuleDeps,
  input: { owner: RuleOwner; rule: string; position: number },
): Promise<DeploymentRuleView> {
  const { owner, rule } = await deps.store.transaction(async (tx) => {
    const { owner, rule } = await getOwnedRule(tx, input.owner, input.rule);
    const others = (await tx.deploymentRules.listByTarget(owner.target)).filter((r) => r.id !== rule.id);
    const position = Math.min(input.position, others.length + 1);
    const moved = { ...rule, position, updatedAtMs: deps.clock.nowMs() };
    await renumber(deps, tx, others, position);
    if (rule.position !== position) await tx.deploymentRules.update(moved);
    return { owner, rule: moved };
  });
  return (await ruleViews(deps.store, owner, [rule]))[0] as DeploymentRuleView;
}

export async function removeDeploymentRule(deps: RuleDeps, input: { owner: RuleOwner; rule: string }): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const { owner, rule } = await getOwnedRule(tx, input.owner, input.rule);
    await tx.deploymentRules.delete(rule.id);
    await renumber(deps, tx, await tx.deploymentRules.listByTarget(owner.target), undefined);
  });
}

/** The dry run: which rule a push of `ref` would fire, and why each earlier one would not. Deploys nothing. */
export async function testDeploymentRules(
  deps: Pick<CoreDeps, 'store'>,
  input: { owner: RuleOwner; ref: string },
): Promise<TestDeploymentRulesResponse> {
  const issue = fullRefIssue(input.ref);
  if (issue !== undefined) {
    throw new SlipwayError('VALIDATION_FAILED', `ref refused: ${issue}`, { details: { ref: input.ref } });
  }
  const owner = await resolveRuleOwner(deps.store, input.owner);
  const rules = await deps.store.deploymentRules.listByTarget(owner.target);
  const views = await ruleViews(deps.store, owner, rules);
  const viewById = new Map(views.map((view) => [view.id, view]));
  const evaluation = evaluateDeploymentRules(rules, input.ref);
  const fired = evaluation.fired === undefined ? null : (viewById.get(evaluation.fired.id) ?? null);
  const summary =
    fired === null
      ? rules.length === 0
        ? `"${owner.name}" has no rule: a push of ${input.ref} deploys nothing`
        : `no rule fires: a push of ${input.ref} deploys nothing to "${owner.name}"`
      : `rule ${fired.position} fires: a push of ${input.ref} deploys its commit to ${fired.environment ?? 'production'} (through that environment's approval policy and strategy)`;
  return {
    ref: input.ref,
    event: evaluation.event ?? null,
    fired,
    summary,
    steps: evaluation.steps.map((step) => ({
      rule: viewById.get(step.rule.id) as DeploymentRuleView,
      verdict: step.verdict,
      reason: step.reason,
    })),
  };
}

function assertPattern(body: AddDeploymentRuleBody): void {
  const patternIssue = refGlobIssue(body.refPattern);
  if (patternIssue !== undefined) {
    throw new SlipwayError('VALIDATION_FAILED', `pattern "${body.refPattern}" refused: ${patternIssue}`, {
      details: { refPattern: body.refPattern },
    });
  }
  const event = body.event ?? 'push';
  const wrongKind = event === 'push' ? 'refs/tags/' : 'refs/heads/';
  if (body.refPattern.startsWith(wrongKind)) {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `a ${event} rule never matches ${wrongKind}…: ${event === 'push' ? 'use --tag for tags' : 'leave out --tag for branches'}`,
      { details: { refPattern: body.refPattern, event } },
    );
  }
}

/** The environment a rule deploys to: one the app has; for a stack, one of its project. */
async function environmentOf(
  tx: Repositories,
  owner: ResolvedOwner,
  ownerRef: RuleOwner,
  name: string,
): Promise<string> {
  if (typeof ownerRef === 'string') return (await getAppScope(tx, ownerRef, name)).environment.id;
  const environment = await tx.environments.find(owner.projectId, name);
  if (!environment) {
    throw new SlipwayError(
      'ENVIRONMENT_NOT_FOUND',
      `the project of stack "${owner.name}" has no environment "${name}"`,
      {
        details: { stack: owner.name, environment: name },
      },
    );
  }
  return environment.id;
}

/** The repository the rule reads: one of the owner's project; a stack's rules read the stack's repository only. */
async function repositoryOf(tx: Repositories, owner: ResolvedOwner, name: string | undefined): Promise<string> {
  if (owner.stackRepositoryId === null) {
    throw new SlipwayError('VALIDATION_FAILED', `stack "${owner.name}" is read from a file: no push deploys it`);
  }
  if (name === undefined) {
    if (owner.stackRepositoryId !== undefined) return owner.stackRepositoryId;
    throw new SlipwayError('VALIDATION_FAILED', 'name the repository whose pushes the rule reads (--repo)');
  }
  const repository = await tx.gitRepositories.findByName(owner.projectId, name);
  if (!repository) {
    throw new SlipwayError(
      'REPOSITORY_NOT_FOUND',
      `the project of "${owner.name}" has no repository "${name}" (slipway repos list)`,
      { details: { repository: name } },
    );
  }
  if (owner.stackRepositoryId !== undefined && repository.id !== owner.stackRepositoryId) {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `stack "${owner.name}" is read from another repository than "${name}": its rules read its own (slipway rules add ${ownerArgument(owner)} leaves --repo out)`,
    );
  }
  return repository.id;
}

/** Numbers `rules` 1…n in their order, leaving `gap` free when given; writes only the rules whose position changes. */
async function renumber(
  deps: RuleDeps,
  tx: Repositories,
  rules: readonly DeploymentRuleRecord[],
  gap: number | undefined,
): Promise<void> {
  const sorted = [...rules].sort((a, b) => a.position - b.position);
  let next = 1;
  for (const rule of sorted) {
    if (next === gap) next++;
    if (rule.position !== next) {
      await tx.deploymentRules.update({ ...rule, position: next, updatedAtMs: deps.clock.nowMs() });
    }
    next++;
  }
}
