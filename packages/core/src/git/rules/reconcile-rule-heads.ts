/**
 * The reconcile that catches what a lost webhook missed (GitHub never redelivers on its own): for each enabled push
 * rule, the branch it follows is looked up on the remote (`git ls-remote`, no fetch) and, when its head is not the
 * commit the rule last deployed, that head deploys as a push would. One pass:
 * 1. the enabled push rules, grouped by repository — one listing of remote heads per repository;
 * 2. per target, each branch head goes to the rule that would fire for it (the same evaluation a push uses, so a
 *    disabled or earlier rule keeps its meaning);
 * 3. a rule follows the branch it last deployed; one that never deployed follows its branch when exactly one branch
 *    matches it (an exact ref, or a glob with one match) — with several it waits for a push to say which;
 * 4. the head fires the rule with the commit the decision was made on, so a webhook that deployed something newer
 *    meanwhile wins, and a (rule, commit) pair still deploys at most once;
 * 5. a stack read from the repository without rules of its own follows its ref: a head that is not the commit of its
 *    newest deployment deploys it; a hosted repository no rule reads deploys its `main` (or `master`) head to
 *    production once per commit (a push slipwayd stored but died before acting on).
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../../core-deps.js';
import type { RemoteHead } from '../../ports/git-mirrors.js';
import type { DeploymentRuleRecord } from './deployment-rule-records.js';
import { evaluateDeploymentRules, rulesByTarget } from './evaluate-deployment-rules.js';
import { fireFollowingStackOrQueue, fireRuleOrQueue } from './queue-busy-firing.js';
import { asTrigger } from '../../deployment/trigger-span.js';
import { fullRefIssue } from './full-ref.js';
import { listRepositoryHeads } from '../repository-remotes.js';
import { applyHostedImplicitRule, implicitBranches } from './hosted-implicit-rule.js';

export interface ReconcileReport {
  /** Rules whose branch moved and that deployed its head. */
  readonly deployed: readonly {
    readonly ruleId: string;
    readonly ref: string;
    readonly commit: string;
    readonly deploymentIds: readonly string[];
  }[];
  /** Repositories whose heads could not be listed (unreachable, credentials refused), with the reason. */
  readonly unreachable: readonly { readonly repositoryId: string; readonly reason: string }[];
  /** Rules that wanted to deploy and could not (a deployment in progress …); the next pass tries again. */
  readonly failed: readonly { readonly ruleId: string; readonly reason: string }[];
}

/** One pass; the deployments it starts are traced under one `git.reconcile` span. */
export function reconcileRuleHeads(deps: CoreDeps, signal?: AbortSignal): Promise<ReconcileReport> {
  return asTrigger(deps, 'git.reconcile', {}, () => reconcilePass(deps, signal));
}

async function reconcilePass(deps: CoreDeps, signal: AbortSignal | undefined): Promise<ReconcileReport> {
  const report: { [K in keyof ReconcileReport]: ReconcileReport[K][number][] } = {
    deployed: [],
    unreachable: [],
    failed: [],
  };
  const rules = await deps.store.deploymentRules.list();
  const stacks = await stacksWithoutRules(deps, rules);
  const hosted = await hostedWithoutRules(deps, rules);
  const repositoryIds = [
    ...new Set([
      ...rules.filter(isFollowed).map((rule) => rule.repositoryId),
      ...stacks.map((s) => s.repositoryId),
      ...hosted,
    ]),
  ];
  for (const repositoryId of repositoryIds) {
    if (isAborted(signal)) break;
    let heads: readonly RemoteHead[];
    try {
      heads = await listRepositoryHeads(deps, repositoryId, signal === undefined ? {} : { signal });
    } catch (error) {
      if (!isSlipwayError(error)) throw error;
      report.unreachable.push({ repositoryId, reason: `${error.code}: ${error.message}` });
      deps.logger.warn({ repositoryId, code: error.code }, 'reconcile could not list the heads of a repository');
      continue;
    }
    const branches = heads.filter((head) => head.ref.startsWith('refs/heads/') && fullRefIssue(head.ref) === undefined);
    const implicit = hosted.has(repositoryId) ? implicitHead(branches) : undefined;
    if (implicit !== undefined && !isAborted(signal)) {
      const input = { ref: implicit.ref, commit: implicit.commit, origin: 'reconcile' as const };
      const applied = await applyHostedImplicitRule(deps, repositoryId, input);
      const ruleId = `hosted-default:${repositoryId}`;
      if (applied?.result.status === 'deployed') {
        report.deployed.push({ ruleId, ...input, deploymentIds: applied.result.deploymentIds });
      } else if (applied?.result.status === 'failed') report.failed.push({ ruleId, reason: applied.result.reason });
    }
    for (const stack of stacks.filter((s) => s.repositoryId === repositoryId)) {
      const head = branches.find((h) => h.ref === stack.ref);
      if (head === undefined || head.commit === stack.lastCommit || isAborted(signal)) continue;
      const input = { ref: head.ref, commit: head.commit, origin: 'reconcile' as const };
      const result = await fireFollowingStackOrQueue(deps, stack.id, input);
      if (result.status === 'deployed') {
        report.deployed.push({ ruleId: `stack-default:${stack.id}`, ...input, deploymentIds: result.deploymentIds });
      } else if (result.status === 'failed')
        report.failed.push({ ruleId: `stack-default:${stack.id}`, reason: result.reason });
    }
    for (const targetRules of rulesByTarget(rules.filter((rule) => rule.repositoryId === repositoryId))) {
      for (const { rule, head } of movedHeads(targetRules, branches)) {
        if (isAborted(signal)) break;
        const input = {
          ref: head.ref,
          commit: head.commit,
          origin: 'reconcile' as const,
          ifLastDeployed: rule.lastDeployedCommit,
        };
        const result = await fireRuleOrQueue(deps, rule, input);
        if (result.status === 'deployed') {
          report.deployed.push({
            ruleId: rule.id,
            ref: head.ref,
            commit: head.commit,
            deploymentIds: result.deploymentIds,
          });
          deps.logger.info({ ruleId: rule.id, ref: head.ref, commit: head.commit }, 'reconcile deployed a missed push');
        } else if (result.status === 'failed') report.failed.push({ ruleId: rule.id, reason: result.reason });
      }
    }
  }
  return report;
}

const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

interface FollowingStack {
  readonly id: string;
  readonly repositoryId: string;
  /** The full ref it follows. */
  readonly ref: string;
  /** The commit its newest deployment deployed, if any. */
  readonly lastCommit: string | null;
}

/** Stacks read from a repository and without rules of their own: they follow their ref (as a push does). */
async function stacksWithoutRules(deps: CoreDeps, rules: readonly DeploymentRuleRecord[]): Promise<FollowingStack[]> {
  const ruled = new Set(rules.filter((rule) => rule.target.kind === 'stack').map((rule) => rule.target.id));
  const following: FollowingStack[] = [];
  for (const stack of await deps.store.stacks.list()) {
    if (stack.source.kind !== 'repository' || ruled.has(stack.id)) continue;
    const [latest] = await deps.store.stacks.listDeployments(stack.id, 1);
    const ref = stack.source.ref.startsWith('refs/') ? stack.source.ref : `refs/heads/${stack.source.ref}`;
    following.push({ id: stack.id, repositoryId: stack.source.repositoryId, ref, lastCommit: latest?.commit ?? null });
  }
  return following;
}

/** Hosted repositories no rule reads: their app follows `main` (or `master`) into production. */
async function hostedWithoutRules(deps: CoreDeps, rules: readonly DeploymentRuleRecord[]): Promise<Set<string>> {
  const read = new Set(rules.map((rule) => rule.repositoryId));
  const repositories = await deps.store.gitRepositories.list();
  return new Set(repositories.filter((r) => r.provider === 'hosted' && !read.has(r.id)).map((r) => r.id));
}

function implicitHead(branches: readonly RemoteHead[]): RemoteHead | undefined {
  for (const ref of implicitBranches) {
    const head = branches.find((h) => h.ref === ref);
    if (head !== undefined) return head;
  }
  return undefined;
}

const isFollowed = (rule: DeploymentRuleRecord): boolean => rule.isEnabled && rule.event === 'push';

/** For each followed rule of one target, the head it should be at when that is not what it last deployed. */
function movedHeads(
  targetRules: readonly DeploymentRuleRecord[],
  branches: readonly RemoteHead[],
): { rule: DeploymentRuleRecord; head: RemoteHead }[] {
  const candidates = new Map<string, RemoteHead[]>();
  for (const head of branches) {
    const fired = evaluateDeploymentRules(targetRules, head.ref).fired;
    if (fired === undefined || !isFollowed(fired)) continue;
    candidates.set(fired.id, [...(candidates.get(fired.id) ?? []), head]);
  }
  const moved: { rule: DeploymentRuleRecord; head: RemoteHead }[] = [];
  for (const rule of targetRules) {
    const heads = candidates.get(rule.id) ?? [];
    const followed = rule.lastDeployedRef === null ? undefined : heads.find((h) => h.ref === rule.lastDeployedRef);
    const head = followed ?? (rule.lastDeployedRef === null && heads.length === 1 ? heads[0] : undefined);
    if (head !== undefined && head.commit !== rule.lastDeployedCommit) moved.push({ rule, head });
  }
  return moved;
}
