/**
 * The implicit rule of a repository slipwayd serves itself (`hosted`): while the app named like it has no rule on it,
 * a push to `main` or `master` deploys `production`, once per commit — from a push, and from the reconcile when a
 * push was stored but slipwayd died before it acted on it.
 */
import type { CoreDeps } from '../../core-deps.js';
import type { GitEventOrigin } from '../git-event.js';
import { fireImplicitAppDeployment, type RuleFiringResult } from './fire-deployment-rule.js';
import { queueIfBusy } from './queue-busy-firing.js';

/** The branches a hosted repository's app deploys to production while it has no rule, in order of preference. */
export const implicitBranches: readonly string[] = ['refs/heads/main', 'refs/heads/master'];

/** What one target made of a push: a firing, or why nothing fired. */
export interface ImplicitResult {
  readonly name: string;
  readonly result: RuleFiringResult | { readonly status: 'no-match'; readonly reason: string };
}

/**
 * The implicit rule applied to a push; undefined when the repository is not hosted or names no app of its project.
 * The caller checks that no rule reads the repository.
 */
export async function applyHostedImplicitRule(
  deps: CoreDeps,
  repositoryId: string,
  input: { ref: string; commit: string; origin: GitEventOrigin },
): Promise<ImplicitResult | undefined> {
  const repository = await deps.store.gitRepositories.findById(repositoryId);
  if (repository?.provider !== 'hosted') return undefined;
  const app = await deps.store.apps.findByName(repository.name);
  if (app?.projectId !== repository.projectId) return undefined;
  const name = `${app.name} (no rule)`;
  if (!implicitBranches.includes(input.ref)) {
    return {
      name,
      result: { status: 'no-match', reason: `without a rule only main or master deploys, not ${input.ref}` },
    };
  }
  const production = await deps.store.environments.find(app.projectId, 'production');
  if (!production) return { name, result: { status: 'failed', reason: 'the app has no production environment' } };
  const key = `hosted-default:${app.id}:${production.id}`;
  const target = { appId: app.id, environmentId: production.id, repositoryId };
  const result = await queueIfBusy(deps, key, { kind: 'hosted', repositoryId }, input, () =>
    fireImplicitAppDeployment(deps, key, target, input),
  );
  return { name, result };
}
