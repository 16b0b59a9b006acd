/** A pull request: its preview environment is created, redeployed at the head commit, or removed. */
import type { CoreDeps } from '../core-deps.js';
import type { GitEventOutcome, GitPullRequestEvent } from './git-event.js';

export async function applyPullRequestEvent(_deps: CoreDeps, event: GitPullRequestEvent): Promise<GitEventOutcome> {
  return Promise.resolve({
    outcome: 'ignored',
    reason: `previews of pull request #${event.number} are not handled yet`,
  });
}
