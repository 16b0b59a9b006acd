/** What Slipway keeps about previews: each app's preview settings, and one record per pull request it previews. */
import type { SealedSecret } from '../domain/secret-records.js';
import type { GitProvider } from './git-event.js';

/**
 * Previews of one app: which repository's pull requests it previews, how many at once, how long an untouched preview
 * lives, and how to tell the provider (its API, the repository's path there, a token sealed under the app's
 * `preview` environment).
 */
export interface PreviewSettingsRecord {
  appId: string;
  repositoryId: string;
  /** Previews that may exist at once; a pull request past it waits (`limited`) until one goes. */
  maxPreviews: number;
  /** A preview whose pull request saw no event for this long is removed by the sweep. */
  idleTtlMs: number;
  /** Where statuses go; null: the provider is not told. */
  provider: PreviewProviderAccess | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface PreviewProviderAccess {
  kind: GitProvider;
  /** `https://api.github.com`, `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`, … */
  apiBaseUrl: string;
  /** `owner/name` (GitLab: the project's full path, or its numeric id; Bitbucket: `workspace/slug`). */
  repositoryPath: string;
  /** Sealed under the app's `preview` environment; never shown. */
  sealedToken: SealedSecret | null;
}

/**
 * `waiting-approval`: a fork's pull request, not built until a deployer approves; `limited`: over the app's limit;
 * `deploying`: a deployment of the head commit runs; `ready` / `failed`: how the last one ended; `removing`: its
 * pull request is over and its last deployment is being cancelled before the environment goes.
 */
export type PreviewState = 'waiting-approval' | 'limited' | 'deploying' | 'ready' | 'failed' | 'removing';

export interface PreviewRecord {
  id: string;
  appId: string;
  repositoryId: string;
  number: number;
  title: string;
  headRef: string;
  /** The exact commit the preview serves (or is to serve). */
  headSha: string;
  isFork: boolean;
  headCloneUrl: string | null;
  state: PreviewState;
  /** The app environment `pr-<n>`; null until it is made (a fork waiting for approval has none). */
  environmentId: string | null;
  deploymentId: string | null;
  /** The user who let a fork's pull request build, and the commit they approved (a later commit waits again). */
  approvedBy: string | null;
  approvedSha: string | null;
  /** What the provider gave back for the status we keep updating (a comment's or deployment's id), by kind. */
  providerRefs: Record<string, string>;
  /** Last event of the pull request (the idle TTL counts from it). */
  lastEventAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
}
