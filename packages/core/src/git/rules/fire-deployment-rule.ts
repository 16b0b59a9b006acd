/**
 * Fires one rule for one commit: records the (rule, commit) firing and starts the deployment in one transaction for
 * an app, so a pair deploys at most once even when a webhook is redelivered, a reconcile repeats it or slipwayd
 * crashes in between. The deployment goes through `insertDeployment`: the environment's approval policy (with the
 * full ref for its ref patterns) and its strategy apply as to any other deployment.
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../../core-deps.js';
import { insertDeployment } from '../../use-cases/deployments.js';
import { getAppScope } from '../../use-cases/lookups.js';
import type { Repositories } from '../../ports/store.js';
import type { DeploymentRuleRecord } from './deployment-rule-records.js';
import type { GitEventOrigin } from '../git-event.js';
import { getGitRepository, repositorySource } from '../repository-remotes.js';
import { deployStack } from '../../stacks/deploy-stack.js';

export interface RuleFiringInput {
  readonly ref: string;
  readonly commit: string;
  readonly origin: GitEventOrigin;
  /**
   * Fire only while the rule's last deployed commit is still this one (the reconcile decided on it): a push that
   * deployed something newer meanwhile wins.
   */
  readonly ifLastDeployed?: string | null;
}

export type RuleFiringResult =
  | { readonly status: 'deployed'; readonly deploymentIds: readonly string[] }
  /** The pair deployed before: nothing new. */
  | { readonly status: 'duplicate'; readonly deploymentIds: readonly string[] }
  /** Its environment was busy: it deploys when that deployment ends, unless a newer push replaces it. */
  | { readonly status: 'queued'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string; readonly code?: string };

/** Thrown inside the transaction when another firing of the pair won the race: rolls the deployment back. */
class FiringTaken extends Error {}

export async function fireDeploymentRule(
  deps: CoreDeps,
  rule: DeploymentRuleRecord,
  input: RuleFiringInput,
): Promise<RuleFiringResult> {
  try {
    if (rule.target.kind === 'app') return await fireAppRule(deps, rule, input);
    return await fireStackRule(deps, rule, input);
  } catch (error) {
    if (error instanceof FiringTaken) return await duplicateOf(deps, rule.id, input.commit);
    if (isSlipwayError(error)) return failedWith(error);
    throw error;
  }
}

/** The app deployment of the implicit rule of a hosted repository (no rule: a push to main or master). */
export async function fireImplicitAppDeployment(
  deps: CoreDeps,
  firingKey: string,
  target: { appId: string; environmentId: string; repositoryId: string },
  input: RuleFiringInput,
): Promise<RuleFiringResult> {
  try {
    return await deps.store.transaction(async (tx) => {
      const earlier = await tx.deploymentRules.findFiring(firingKey, input.commit);
      if (earlier) return { status: 'duplicate', deploymentIds: earlier.deploymentIds };
      const deploymentId = await insertRuleDeployment(deps, tx, target, input);
      await recordFiring(deps, tx, firingKey, input, [deploymentId]);
      return { status: 'deployed', deploymentIds: [deploymentId] };
    });
  } catch (error) {
    if (error instanceof FiringTaken) return await duplicateOf(deps, firingKey, input.commit);
    if (isSlipwayError(error)) return failedWith(error);
    throw error;
  }
}

async function fireAppRule(
  deps: CoreDeps,
  rule: DeploymentRuleRecord,
  input: RuleFiringInput,
): Promise<RuleFiringResult> {
  return deps.store.transaction(async (tx) => {
    const earlier = await tx.deploymentRules.findFiring(rule.id, input.commit);
    if (earlier) return { status: 'duplicate', deploymentIds: earlier.deploymentIds } as const;
    const current = await tx.deploymentRules.findById(rule.id);
    if (current?.environmentId === null || current === undefined) {
      return { status: 'failed', reason: `rule ${rule.id} no longer exists` } as const;
    }
    if (input.ifLastDeployed !== undefined && current.lastDeployedCommit !== input.ifLastDeployed) {
      return { status: 'duplicate', deploymentIds: [] } as const;
    }
    const environmentId = current.environmentId;
    const target = { appId: current.target.id, environmentId, repositoryId: current.repositoryId };
    const deploymentId = await insertRuleDeployment(deps, tx, target, input);
    await recordFiring(deps, tx, rule.id, input, [deploymentId]);
    await tx.deploymentRules.update(triggered(deps, current, input));
    return { status: 'deployed', deploymentIds: [deploymentId] } as const;
  });
}

/**
 * A stack deploys through its own use case, which records the firing in the transaction of its stack deployment (so
 * two firings of the pair never both deploy, and a crash never leaves one fired and not deployed); if it refuses (a
 * stack deployment still runs there …), nothing is recorded and a later push or the reconcile deploys the commit.
 */
async function fireStackRule(
  deps: CoreDeps,
  rule: DeploymentRuleRecord,
  input: RuleFiringInput,
): Promise<RuleFiringResult> {
  const current = await deps.store.deploymentRules.findById(rule.id);
  if (!current) return { status: 'failed', reason: `rule ${rule.id} no longer exists` };
  if (input.ifLastDeployed !== undefined && current.lastDeployedCommit !== input.ifLastDeployed) {
    return { status: 'duplicate', deploymentIds: [] };
  }
  const environment =
    current.environmentId === null ? undefined : await deps.store.environments.findById(current.environmentId);
  const result = await fireStackDeployment(deps, rule.id, rule.target.id, environment?.name, input);
  if (result.status === 'deployed') {
    await deps.store.transaction(async (tx) => {
      const latest = await tx.deploymentRules.findById(rule.id);
      if (latest) await tx.deploymentRules.update(triggered(deps, latest, input));
    });
  }
  return result;
}

/**
 * Deploys a stack at the commit once per firing key (a stack rule's id, or an implicit `stack-default:<stackId>`): the
 * firing is recorded in the transaction that records the stack deployment, so the pair is deployed exactly once even
 * when slipwayd is killed in between (the stack deployment's services are then advanced from its record).
 */
export async function fireStackDeployment(
  deps: CoreDeps,
  firingKey: string,
  stackId: string,
  environment: string | undefined,
  input: RuleFiringInput,
): Promise<RuleFiringResult> {
  const earlier = await deps.store.deploymentRules.findFiring(firingKey, input.commit);
  if (earlier) return { status: 'duplicate', deploymentIds: earlier.deploymentIds };
  try {
    const source = { repositoryId: await repositoryOfStack(deps, stackId), ref: input.ref, commit: input.commit };
    const deployment = await deployStack(deps, stackId, source, {
      ...(environment === undefined ? {} : { environment }),
      inTransaction: (tx) => recordFiring(deps, tx, firingKey, input, []),
    });
    const deploymentIds = deployment.services.flatMap((service) =>
      service.deploymentId === null ? [] : [service.deploymentId],
    );
    return { status: 'deployed', deploymentIds };
  } catch (error) {
    if (error instanceof FiringTaken) return await duplicateOf(deps, firingKey, input.commit);
    if (isSlipwayError(error)) return failedWith(error);
    throw error;
  }
}

function failedWith(error: SlipwayError): RuleFiringResult {
  return { status: 'failed', reason: `${error.code}: ${error.message}`, code: error.code };
}

async function repositoryOfStack(deps: CoreDeps, stackId: string): Promise<string> {
  const stack = await deps.store.stacks.findById(stackId);
  if (stack?.source.kind !== 'repository') {
    throw new SlipwayError('VALIDATION_FAILED', `stack ${stackId} is not deployed from a repository`);
  }
  return stack.source.repositoryId;
}

async function insertRuleDeployment(
  deps: CoreDeps,
  tx: Repositories,
  target: { appId: string; environmentId: string; repositoryId: string },
  input: RuleFiringInput,
): Promise<string> {
  const app = await tx.apps.findById(target.appId);
  const environment = await tx.environments.findById(target.environmentId);
  const repository = await getGitRepository(tx, target.repositoryId);
  if (!app || !environment)
    throw new SlipwayError('APP_NOT_FOUND', 'the rule names an app or environment that is gone');
  const scope = await getAppScope(tx, app.name, environment.name);
  const deployment = await insertDeployment(deps, tx, scope, {
    app: app.name,
    environment: environment.name,
    source: repositorySource(repository, { ref: input.ref, commit: input.commit }),
  });
  return deployment.id;
}

async function recordFiring(
  deps: CoreDeps,
  tx: Repositories,
  ruleId: string,
  input: RuleFiringInput,
  deploymentIds: string[],
): Promise<void> {
  const isNew = await tx.deploymentRules.insertFiring({
    ruleId,
    commit: input.commit,
    ref: input.ref,
    origin: input.origin,
    deploymentIds,
    firedAtMs: deps.clock.nowMs(),
  });
  if (!isNew) throw new FiringTaken();
}

function triggered(deps: CoreDeps, rule: DeploymentRuleRecord, input: RuleFiringInput): DeploymentRuleRecord {
  const now = deps.clock.nowMs();
  return {
    ...rule,
    triggerCount: rule.triggerCount + 1,
    lastDeployedCommit: input.commit,
    lastDeployedRef: input.ref,
    lastTriggeredAtMs: now,
    updatedAtMs: now,
  };
}

async function duplicateOf(deps: CoreDeps, ruleId: string, commit: string): Promise<RuleFiringResult> {
  const earlier = await deps.store.deploymentRules.findFiring(ruleId, commit);
  return { status: 'duplicate', deploymentIds: earlier?.deploymentIds ?? [] };
}
