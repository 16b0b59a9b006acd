/**
 * Routes a git event to what acts on it: a push to the deployment rules of the apps and stacks built from that
 * repository, a pull request to its previews. Idempotent per event: the webhook inbox hands each delivery over once,
 * and a handler asked twice about the same commit deploys it once.
 */
import type { CoreDeps } from '../core-deps.js';
import type { GitEvent, GitEventOutcome } from './git-event.js';
import { applyPullRequestEvent } from './pull-request-event.js';
import { applyPushEvent } from './push-event.js';

export async function handleGitEvent(deps: CoreDeps, event: GitEvent): Promise<GitEventOutcome> {
  switch (event.kind) {
    case 'push':
      return applyPushEvent(deps, event);
    case 'pull-request':
      return applyPullRequestEvent(deps, event);
  }
}
