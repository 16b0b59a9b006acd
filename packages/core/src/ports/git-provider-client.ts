/**
 * Talks to a git host's API about previews: tells a pull request how its preview is doing, and asks whether a pull
 * request is still open (the sweep that catches a lost `closed` webhook). One implementation per provider behind one
 * interface (`adapters/git-providers/`); every call has a deadline and bounded retries.
 */
import type { GitProvider } from '../git/git-event.js';

export interface GitProviderTarget {
  readonly kind: GitProvider;
  /** The API's base URL, without a trailing slash: `https://api.github.com`, `https://gitlab.com/api/v4`. */
  readonly apiBaseUrl: string;
  /** `owner/name`; GitLab: the project's full path or numeric id; Bitbucket: `workspace/slug`. */
  readonly repositoryPath: string;
  /** Sent as the provider's authentication header; never logged, never put in a URL. */
  readonly token: string | null;
}

/** `waiting`: not built yet (approval, limit); `building`; `ready`; `failed`; `removed` (closed, idle, removed). */
export type PreviewStatusState = 'waiting' | 'building' | 'ready' | 'failed' | 'removed';

export interface PreviewStatus {
  readonly number: number;
  /** The commit the status is about (GitHub, GitLab, Gitea and Bitbucket hang statuses on commits). */
  readonly commit: string;
  readonly state: PreviewStatusState;
  /** `https://pr-7.shop.preview.example.com`, once it serves. */
  readonly url: string | null;
  /** The per-commit alias, once it serves. */
  readonly aliasUrl: string | null;
  /** `pr-7`: the environment name GitHub deployments are grouped by. */
  readonly environment: string;
  /** One line a reader of the pull request understands. */
  readonly description: string;
}

export interface GitProviderClient {
  /**
   * Reports the preview's status in every way the provider offers (GitHub: commit status, deployment and its status,
   * one comment edited in place; GitLab: commit status and one note; Gitea: commit status; Bitbucket: build status).
   * `refs` are what an earlier report returned (the comment's id…); the answer is the refs to keep. Retries 5xx, 429
   * and network failures a bounded number of times, each attempt under a deadline.
   * Errors: `GIT_PROVIDER_UNAVAILABLE` (no answer, or an error status, after the retries).
   */
  reportPreview(
    target: GitProviderTarget,
    status: PreviewStatus,
    refs: Readonly<Record<string, string>>,
  ): Promise<Record<string, string>>;
  /**
   * Whether the pull request is still open, and its head commit as the provider says (Bitbucket: 12 hex digits):
   * `unknown` when the provider could not say (unreachable, denied, not found), which must never be taken for closed.
   */
  pullRequestState(target: GitProviderTarget, number: number): Promise<PullRequestAtProvider>;
}

export interface PullRequestAtProvider {
  readonly state: 'open' | 'closed' | 'unknown';
  /** Null when the answer named none. */
  readonly headSha: string | null;
}
