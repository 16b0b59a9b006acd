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
  | { readonly status: 'failed'; readonly reason: string };

/** Deploys a stack at a commit (STACKS' `deployStack`); returns the deployments it started. */
export type StackDeployer = (
  deps: CoreDeps,
  stackId: string,
  source: { repositoryId: string; ref: string; commit: string },
  options: { environment?: string },
) => Promise<readonly string[]>;

/** Thrown inside the transaction when another firing of the pair won the race: rolls the deployment back. */
class FiringTaken extends Error {}

export async function fireDeploymentRule(
  deps: CoreDeps,
  rule: DeploymentRuleRecord,
  input: RuleFiringInput,
  stackDeployer?: StackDeployer,
): Promise<RuleFiringResult> {
  try {
    if (rule.target.kind === 'app') return await fireAppRule(deps, rule, input);
    return await fireStackRule(deps, rule, input, stackDeployer);
  } catch (error) {
    if (error instanceof FiringTaken) return await duplicateOf(deps, rule.id, input.commit);
    if (isSlipwayError(error)) return { status: 'failed', reason: `${error.code}: ${error.message}` };
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
    if (isSlipwayError(error)) return { status: 'failed', reason: `${error.code}: ${error.message}` };
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
 * A stack deploys through its own use case, which writes in transactions of its own: the firing is recorded first, so
 * a crash in between leaves the pair fired and not deployed (at most once); the reconcile does not repeat a pair.
 */
async function fireStackRule(
  deps: CoreDeps,
  rule: DeploymentRuleRecord,
  input: RuleFiringInput,
  stackDeployer: StackDeployer | undefined,
): Promise<RuleFiringResult> {
  if (stackDeployer === undefined) return { status: 'failed', reason: 'stacks cannot be deployed by this server' };
  const claimed = await deps.store.transaction(async (tx) => {
    const earlier = await tx.deploymentRules.findFiring(rule.id, input.commit);
    if (earlier) return { status: 'duplicate', deploymentIds: earlier.deploymentIds } as const;
    const current = await tx.deploymentRules.findById(rule.id);
    if (!current) return { status: 'failed', reason: `rule ${rule.id} no longer exists` } as const;
    if (input.ifLastDeployed !== undefined && current.lastDeployedCommit !== input.ifLastDeployed) {
      return { status: 'duplicate', deploymentIds: [] } as const;
    }
    await recordFiring(deps, tx, rule.id, input, []);
    await tx.deploymentRules.update(triggered(deps, current, input));
    const environment =
      current.environmentId === null ? undefined : await tx.environments.findById(current.environmentId);
    return { status: 'claimed', environment: environment?.name } as const;
  });
  if (claimed.status !== 'claimed') return claimed;
  const source = { repositoryId: rule.repositoryId, ref: input.ref, commit: input.commit };
  const deploymentIds = await stackDeployer(
    deps,
    rule.target.id,
    source,
    claimed.environment === undefined ? {} : { environment: claimed.environment },
  );
  return { status: 'deployed', deploymentIds };
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
