/** Gitea's and Forgejo's REST API (`https://<host>/api/v1`): a commit status `slipway/preview`. */
import type { GitProviderTarget } from '@slipway/core';
import type { ProviderDialect } from './provider-dialect.js';
import { isOk, refused, stateOf, textAt } from './provider-http.js';
import { repoPath } from './github-preview-dialect.js';
import { shortDescription } from './preview-comment.js';

const statusState = {
  waiting: 'pending',
  building: 'pending',
  ready: 'success',
  failed: 'failure',
  removed: 'warning',
} as const;

function headers(target: GitProviderTarget): Record<string, string> {
  return target.token === null ? {} : { authorization: `token ${target.token}` };
}

export const giteaPreviewDialect: ProviderDialect = {
  async report(http, target, status, refs) {
    const call = {
      method: 'POST' as const,
      url: `${target.apiBaseUrl}/repos/${repoPath(target.repositoryPath)}/statuses/${status.commit}`,
      headers: headers(target),
      body: {
        state: statusState[status.state],
        context: 'slipway/preview',
        description: shortDescription(status.description),
        ...(status.url === null ? {} : { target_url: status.url }),
      },
    };
    const answer = await http(call);
    if (!isOk(answer)) throw refused(call, answer);
    return { ...refs };
  },

  async pullRequestState(http, target, number) {
    const answer = await http({
      method: 'GET',
      url: `${target.apiBaseUrl}/repos/${repoPath(target.repositoryPath)}/pulls/${number}`,
      headers: headers(target),
    });
    if (!isOk(answer)) return { state: 'unknown', headSha: null };
    const state = stateOf(answer);
    const headSha = textAt(answer, ['head', 'sha']);
    return { state: state === 'open' ? 'open' : state === 'closed' ? 'closed' : 'unknown', headSha };
  },
};
