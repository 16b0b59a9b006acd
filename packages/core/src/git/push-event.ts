/** A push: the deployment rules of every app and stack built from the repository decide what deploys where. */
import type { CoreDeps } from '../core-deps.js';
import type { GitEventOutcome, GitPushEvent } from './git-event.js';

export async function applyPushEvent(_deps: CoreDeps, event: GitPushEvent): Promise<GitEventOutcome> {
  return Promise.resolve({ outcome: 'ignored', reason: `no deployment rule handles ${event.ref} yet` });
}
