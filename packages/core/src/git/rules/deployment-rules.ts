/**
 * Use cases of an app's deployment rules: list, add, enable or disable, move, remove, and the dry run that says which
 * rule a ref fires and why each earlier one does not (the same evaluation a push acts on).
 */
import {
  SlipwayError,
  type AddDeploymentRuleBody,
  type DeploymentRuleView,
  type TestDeploymentRulesResponse,
} from '@slipway/contract';
import type { CoreDeps } from '../../core-deps.js';
import type { AppRecord } from '../../domain/records.js';
import type { Repositories } from '../../ports/store.js';
import { getApp, getAppScope } from '../../use-cases/lookups.js';
import type { DeploymentRuleRecord, DeploymentRuleTarget } from './deployment-rule-records.js';
import { evaluateDeploymentRules } from './evaluate-deployment-rules.js';
import { fullRefIssue } from './full-ref.js';
import { refGlobIssue } from './ref-glob.js';

type RuleDeps = Pick<CoreDeps, 'store' | 'ids' | 'clock'>;

/** At most this many rules per app: each push reads them all. */
export const maxRulesPerTarget = 100;

const appTarget = (app: AppRecord): DeploymentRuleTarget => ({ kind: 'app', id: app.id });

export async function listDeploymentRules(
  deps: Pick<CoreDeps, 'store'>,
  appName: string,
): Promise<DeploymentRuleView[]> {
  const app = await getApp(deps.store, appName);
  const rules = await deps.store.deploymentRules.listByTarget(appTarget(app));
  return viewsOf(deps.store, app, rules);
}

export async function addDeploymentRule(
  deps: RuleDeps,
  appName: string,
  body: AddDeploymentRuleBody,
): Promise<DeploymentRuleView> {
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
  const { app, rule } = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, appName, body.environment ?? 'production');
    const repository = await tx.gitRepositories.findByName(scope.app.projectId, body.repository);
    if (!repository) {
      throw new SlipwayError(
        'REPOSITORY_NOT_FOUND',
        `the project of "${appName}" has no repository "${body.repository}" (slipway repos list)`,
        { details: { repository: body.repository } },
      );
    }
    const existing = await tx.deploymentRules.listByTarget(appTarget(scope.app));
    if (existing.length >= maxRulesPerTarget) {
      throw new SlipwayError('VALIDATION_FAILED', `"${appName}" has ${maxRulesPerTarget} rules already`);
    }
    const position = Math.min(body.position ?? existing.length + 1, existing.length + 1);
    await renumber(deps, tx, existing, position);
    const now = deps.clock.nowMs();
    const record: DeploymentRuleRecord = {
      id: deps.ids.next('rul'),
      target: appTarget(scope.app),
      repositoryId: repository.id,
      position,
      refPattern: body.refPattern,
      event,
      environmentId: scope.environment.id,
      isEnabled: body.isEnabled ?? true,
      triggerCount: 0,
      lastDeployedCommit: null,
      lastDeployedRef: null,
      lastTriggeredAtMs: null,
      createdAtMs: now,
      updatedAtMs: now,
    };
    await tx.deploymentRules.insert(record);
    return { app: scope.app, rule: record };
  });
  return (await viewsOf(deps.store, app, [rule]))[0] as DeploymentRuleView;
}

export async function setDeploymentRuleEnabled(
  deps: RuleDeps,
  input: { app: string; rule: string; isEnabled: boolean },
): Promise<DeploymentRuleView> {
  const { app, rule } = await deps.store.transaction(async (tx) => {
    const { app, rule } = await getRule(tx, input.app, input.rule);
    const updated = { ...rule, isEnabled: input.isEnabled, updatedAtMs: deps.clock.nowMs() };
    if (rule.isEnabled !== input.isEnabled) await tx.deploymentRules.update(updated);
    return { app, rule: updated };
  });
  return (await viewsOf(deps.store, app, [rule]))[0] as DeploymentRuleView;
}

/** Moves the rule to `position` (clamped to the last), shifting the others; the order is what decides. */
export async function moveDeploymentRule(
  deps: RuleDeps,
  input: { app: string; rule: string; position: number },
): Promise<DeploymentRuleView> {
  const { app, rule } = await deps.store.transaction(async (tx) => {
    const { app, rule } = await getRule(tx, input.app, input.rule);
    const others = (await tx.deploymentRules.listByTarget(appTarget(app))).filter((r) => r.id !== rule.id);
    const position = Math.min(input.position, others.length + 1);
    const moved = { ...rule, position, updatedAtMs: deps.clock.nowMs() };
    await renumber(deps, tx, others, position);
    if (rule.position !== position) await tx.deploymentRules.update(moved);
    return { app, rule: moved };
  });
  return (await viewsOf(deps.store, app, [rule]))[0] as DeploymentRuleView;
}

export async function removeDeploymentRule(deps: RuleDeps, input: { app: string; rule: string }): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const { app, rule } = await getRule(tx, input.app, input.rule);
    await tx.deploymentRules.delete(rule.id);
    const rest = await tx.deploymentRules.listByTarget(appTarget(app));
    await renumber(deps, tx, rest, undefined);
  });
}

/** The dry run: which rule a push of `ref` would fire, and why each earlier one would not. Deploys nothing. */
export async function testDeploymentRules(
  deps: Pick<CoreDeps, 'store'>,
  input: { app: string; ref: string },
): Promise<TestDeploymentRulesResponse> {
  const issue = fullRefIssue(input.ref);
  if (issue !== undefined) {
    throw new SlipwayError('VALIDATION_FAILED', `ref refused: ${issue}`, { details: { ref: input.ref } });
  }
  const app = await getApp(deps.store, input.app);
  const rules = await deps.store.deploymentRules.listByTarget(appTarget(app));
  const views = await viewsOf(deps.store, app, rules);
  const viewById = new Map(views.map((view) => [view.id, view]));
  const evaluation = evaluateDeploymentRules(rules, input.ref);
  const fired = evaluation.fired === undefined ? null : (viewById.get(evaluation.fired.id) ?? null);
  const summary =
    fired === null
      ? rules.length === 0
        ? `"${app.name}" has no rule: a push of ${input.ref} deploys nothing`
        : `no rule fires: a push of ${input.ref} deploys nothing to "${app.name}"`
      : `rule ${fired.position} fires: a push of ${input.ref} deploys its commit to ${fired.environment ?? 'the stack'} (through that environment's approval policy and strategy)`;
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

async function getRule(
  tx: Repositories,
  appName: string,
  ruleRef: string,
): Promise<{ app: AppRecord; rule: DeploymentRuleRecord }> {
  const app = await getApp(tx, appName);
  const rules = await tx.deploymentRules.listByTarget(appTarget(app));
  const rule = /^\d+$/u.test(ruleRef)
    ? rules.find((r) => r.position === Number(ruleRef))
    : rules.find((r) => r.id === ruleRef);
  if (!rule) {
    throw new SlipwayError(
      'DEPLOYMENT_RULE_NOT_FOUND',
      `"${appName}" has no rule ${ruleRef} (slipway rules list ${appName})`,
      {
        details: { app: appName, rule: ruleRef },
      },
    );
  }
  return { app, rule };
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
    if (rule.position !== next)
      await tx.deploymentRules.update({ ...rule, position: next, updatedAtMs: deps.clock.nowMs() });
    next++;
  }
}

async function viewsOf(
  repos: Repositories,
  app: AppRecord,
  rules: readonly DeploymentRuleRecord[],
): Promise<DeploymentRuleView[]> {
  const environments = new Map((await repos.environments.listByProject(app.projectId)).map((e) => [e.id, e.name]));
  const repositories = new Map((await repos.gitRepositories.listByProject(app.projectId)).map((r) => [r.id, r.name]));
  return rules.map((rule) => ({
    id: rule.id,
    position: rule.position,
    app: app.name,
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
    createdAt: new Date(rule.createdAtMs).toISOString(),
  }));
}
