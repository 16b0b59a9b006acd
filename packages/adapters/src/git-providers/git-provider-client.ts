/** The provider client previews use: one dialect per git host over one retrying, deadlined JSON call. */
import type { GitProvider, GitProviderClient } from '@slipway/core';
import { bitbucketPreviewDialect } from './bitbucket-preview-dialect.js';
import { giteaPreviewDialect } from './gitea-preview-dialect.js';
import { githubPreviewDialect } from './github-preview-dialect.js';
import { gitlabPreviewDialect } from './gitlab-preview-dialect.js';
import type { ProviderDialect } from './provider-dialect.js';
import { createProviderHttp, type ProviderHttpOptions } from './provider-http.js';

const dialects: Record<GitProvider, ProviderDialect> = {
  github: githubPreviewDialect,
  gitlab: gitlabPreviewDialect,
  gitea: giteaPreviewDialect,
  bitbucket: bitbucketPreviewDialect,
};

/** Defaults: 10 s per attempt, retried after 1 s and 5 s. */
export const defaultProviderHttpOptions: ProviderHttpOptions = { timeoutMs: 10_000, retryDelaysMs: [1_000, 5_000] };

export function createGitProviderClient(options: ProviderHttpOptions = defaultProviderHttpOptions): GitProviderClient {
  const http = createProviderHttp(options);
  return {
    reportPreview: (target, status, refs) => dialects[target.kind].report(http, target, status, refs),
    // Unreachable is not closed: a sweep must never remove a preview because the provider did not answer.
    pullRequestState: (target, number) =>
      dialects[target.kind]
        .pullRequestState(http, target, number)
        .catch(() => ({ state: 'unknown' as const, headSha: null })),
  };
}
