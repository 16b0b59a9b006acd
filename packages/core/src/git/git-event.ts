/**
 * A git host's news, in one shape whatever the provider: a push to a ref, or a pull request that opened, moved,
 * closed or merged. Webhooks (`webhooks/`), pushes to slipwayd's own git endpoint (`hosted`) and the reconcile sweep
 * that catches what a lost webhook missed all produce these; `handleGitEvent` routes them to deployment rules and to
 * previews.
 */

/** The git hosts whose webhooks Slipway verifies; `gitea` covers Forgejo (the same headers and payloads). */
export const gitProviders = ['github', 'gitlab', 'gitea', 'bitbucket'] as const;
export type GitProvider = (typeof gitProviders)[number];

/** Where an event came from: a provider's webhook, a `git push` to slipwayd itself, or the reconcile sweep. */
export type GitEventOrigin = GitProvider | 'hosted' | 'reconcile';

/** 40 (SHA-1) or 64 (SHA-256) hex digits. */
export type CommitId = string;

export interface GitPushEvent {
  readonly kind: 'push';
  readonly repositoryId: string;
  readonly origin: GitEventOrigin;
  /** The provider's delivery key (dedupe), or a key the origin makes unique per push. */
  readonly deliveryKey: string;
  /** The full ref: `refs/heads/main`, `refs/tags/v1.2.0`. */
  readonly ref: string;
  /** The ref's commit before the push; null when the push created the ref. */
  readonly before: CommitId | null;
  /** The ref's commit after the push; null when the push deleted the ref. */
  readonly after: CommitId | null;
  /** A force push (history rewritten), when the provider says. */
  readonly isForced: boolean;
  /** Who pushed, as the provider names them (shown, never trusted for access). */
  readonly pusher?: string;
}

export type PullRequestAction = 'opened' | 'updated' | 'closed' | 'merged';

export interface GitPullRequestEvent {
  readonly kind: 'pull-request';
  readonly repositoryId: string;
  readonly origin: GitEventOrigin;
  readonly deliveryKey: string;
  /**
   * `opened` (also reopened and ready for review), `updated` (new commits only: a title edit is not one), `closed`
   * (without merging) or `merged`.
   */
  readonly action: PullRequestAction;
  /** GitHub's `number`, GitLab's project-scoped `iid`, Bitbucket's `id`. */
  readonly number: number;
  readonly title: string;
  /**
   * The head commit: full for GitHub, GitLab and Gitea; Bitbucket sends 12 characters, which the handler resolves
   * by fetching `headRef`.
   */
  readonly headSha: string;
  /** The source branch's name (not a full ref): `feature/login`. */
  readonly headRef: string;
  /** The target branch's name: `main`. */
  readonly baseRef: string;
  /** From another repository than the one the webhook belongs to, decided by repository id, never by author. */
  readonly isFork: boolean;
  /** Where the head can be fetched when it is a fork's; null for a same-repository pull request. */
  readonly headCloneUrl: string | null;
  readonly author?: string;
}

export type GitEvent = GitPushEvent | GitPullRequestEvent;

/** What handling an event did, for the inbox record and the logs (never a secret). */
export interface GitEventOutcome {
  readonly outcome: 'deployed' | 'ignored' | 'waiting' | 'removed' | 'failed';
  /** One line a user reads: which rule fired, why nothing did, what failed. */
  readonly reason: string;
  /** Deployments the event started. */
  readonly deploymentIds?: readonly string[];
}
