/**
 * A push: the deployment rules of every app and stack built from the repository decide what deploys where. For each
 * target with rules on the repository, the first enabled rule that matches the event kind and the full ref deploys
 * the exact pushed commit (`after`); a deleted ref deploys nothing; a (rule, commit) pair deploys at most once. A
 * repository slipwayd serves itself (`hosted`) whose app has no rule deploys a push to `main` or `master` to
 * `production`; a stack read from the repository without rules of its own deploys a push of the ref it follows.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRuleRecord } from './rules/deployment-rule-records.js';
import { evaluateDeploymentRules, rulesByTarget } from './rules/evaluate-deployment-rules.js';
import { fireFollowingStackOrQueue, fireRuleOrQueue } from './rules/queue-busy-firing.js';
import { fullRefIssue } from './rules/full-ref.js';
import { applyHostedImplicitRule, type ImplicitResult } from './rules/hosted-implicit-rule.js';
import type { GitEventOutcome, GitPushEvent } from './git-event.js';

const commitPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/u;

type TargetResult = ImplicitResult;

export async function applyPushEvent(deps: CoreDeps, event: GitPushEvent): Promise<GitEventOutcome> {
  const issue = fullRefIssue(event.ref);
  if (issue !== undefined) return { outcome: 'ignored', reason: `ref refused: ${issue}` };
  if (event.after === null) return { outcome: 'ignored', reason: `${event.ref} was deleted: nothing deploys` };
  if (!commitPattern.test(event.after)) return { outcome: 'ignored', reason: 'the pushed commit is not a commit id' };
  const commit = event.after;
  const input = { ref: event.ref, commit, origin: event.origin };
  const rules = await deps.store.deploymentRules.listByRepository(event.repositoryId);
  const results: TargetResult[] = [];
  for (const targetRules of rulesByTarget(rules)) {
    const first = targetRules[0] as DeploymentRuleRecord;
    const name = await targetName(deps, first);
    const { fired, steps } = evaluateDeploymentRules(targetRules, event.ref);
    if (fired === undefined) {
      const reasons = steps.map((step) => `rule ${step.rule.position}: ${step.reason}`).join('; ');
      results.push({ name, result: { status: 'no-match', reason: reasons } });
      continue;
    }
    const result = await fireRuleOrQueue(deps, fired, input);
    results.push({ name: `${name} rule ${fired.position}`, result });
  }
  const ruledStacks = new Set(rules.filter((rule) => rule.target.kind === 'stack').map((rule) => rule.target.id));
  const hasRules = results.length > 0;
  results.push(...(await applyStacksWithoutRules(deps, event.repositoryId, ruledStacks, input)));
  if (!hasRules && event.origin === 'hosted') {
    const implicit = await applyHostedImplicitRule(deps, event.repositoryId, input);
    if (implicit !== undefined) results.push(implicit);
  }
  const outcome = outcomeOf(event, results);
  deps.logger.info(
    { repositoryId: event.repositoryId, ref: event.ref, commit, origin: event.origin, outcome: outcome.outcome },
    'push handled',
  );
  return outcome;
}

/**
 * A stack read from this repository and without rules of its own deploys a push of the ref it follows (its `ref`:
 * `main` is `refs/heads/main`) to production, once per commit.
 */
async function applyStacksWithoutRules(
  deps: CoreDeps,
  repositoryId: string,
  ruledStacks: ReadonlySet<string>,
  input: { ref: string; commit: string; origin: GitPushEvent['origin'] },
): Promise<TargetResult[]> {
  const results: TargetResult[] = [];
  for (const stack of await deps.store.stacks.listByRepository(repositoryId)) {
    if (ruledStacks.has(stack.id) || stack.source.kind !== 'repository') continue;
    const followed = stack.source.ref.startsWith('refs/') ? stack.source.ref : `refs/heads/${stack.source.ref}`;
    const name = `stack ${stack.name} (no rule)`;
    if (followed !== input.ref) {
      results.push({ name, result: { status: 'no-match', reason: `it follows ${followed}` } });
      continue;
    }
    const result = await fireFollowingStackOrQueue(deps, stack.id, input);
    results.push({ name, result });
  }
  return results;
}

async function targetName(deps: CoreDeps, rule: DeploymentRuleRecord): Promise<string> {
  if (rule.target.kind === 'app') {
    const app = await deps.store.apps.findById(rule.target.id);
    return `app ${app?.name ?? rule.target.id}`;
  }
  const stack = await deps.store.stacks.findById(rule.target.id);
  return `stack ${stack?.name ?? rule.target.id}`;
}

function outcomeOf(event: GitPushEvent, results: readonly TargetResult[]): GitEventOutcome {
  if (results.length === 0) return { outcome: 'ignored', reason: `no deployment rule reads this repository` };
  const deploymentIds = results.flatMap(({ result }) => (result.status === 'deployed' ? result.deploymentIds : []));
  const lines = results.map(({ name, result }) => `${name}: ${describe(result)}`);
  const reason = bounded(`${event.ref}@${(event.after ?? '').slice(0, 12)} — ${lines.join(' | ')}`);
  if (deploymentIds.length > 0) return { outcome: 'deployed', reason, deploymentIds };
  if (results.some(({ result }) => result.status === 'failed')) return { outcome: 'failed', reason };
  if (results.some(({ result }) => result.status === 'queued')) return { outcome: 'waiting', reason };
  return { outcome: 'ignored', reason };
}

/** The outcome's reason is one line a user reads (and the inbox keeps): at most this long. */
const maxReasonLength = 2_000;

function bounded(reason: string): string {
  return reason.length <= maxReasonLength ? reason : `${reason.slice(0, maxReasonLength - 1)}…`;
}

function describe(result: TargetResult['result']): string {
  switch (result.status) {
    case 'deployed':
      return `deploying (${result.deploymentIds.join(', ')})`;
    case 'duplicate':
      return `this commit deployed already${result.deploymentIds.length === 0 ? '' : ` (${result.deploymentIds.join(', ')})`}`;
    case 'failed':
      return `not deployed: ${result.reason}`;
    case 'queued':
      return result.reason;
    case 'no-match':
      return `no rule fires (${result.reason})`;
  }
}
