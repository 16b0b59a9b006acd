/**
 * Bitbucket Cloud's REST API (`https://api.bitbucket.org/2.0`): a build status keyed `slipway-preview` on the commit.
 * Bitbucket requires a URL on every status: the preview's once it serves, else the pull request's page.
 */
import type { GitProviderTarget } from '@slipway/core';
import type { ProviderDialect } from './provider-dialect.js';
import { isOk, refused, stateOf, textAt } from './provider-http.js';
import { repoPath } from './github-preview-dialect.js';
import { shortDescription } from './preview-comment.js';

const buildState = {
  waiting: 'INPROGRESS',
  building: 'INPROGRESS',
  ready: 'SUCCESSFUL',
  failed: 'FAILED',
  removed: 'STOPPED',
} as const;

function headers(target: GitProviderTarget): Record<string, string> {
  return target.token === null ? {} : { authorization: `Bearer ${target.token}` };
}

export const bitbucketPreviewDialect: ProviderDialect = {
  async report(http, target, status, refs) {
    const repository = `${target.apiBaseUrl}/repositories/${repoPath(target.repositoryPath)}`;
    const call = {
      method: 'POST' as const,
      url: `${repository}/commit/${status.commit}/statuses/build`,
      headers: headers(target),
      body: {
        key: 'slipway-preview',
        name: `Slipway preview ${status.environment}`,
        state: buildState[status.state],
        description: shortDescription(status.description),
        url: status.url ?? `https://bitbucket.org/${target.repositoryPath}/pull-requests/${status.number}`,
      },
    };
    const answer = await http(call);
    if (!isOk(answer)) throw refused(call, answer);
    return { ...refs };
  },

  async pullRequestState(http, target, number) {
    const answer = await http({
      method: 'GET',
      url: `${target.apiBaseUrl}/repositories/${repoPath(target.repositoryPath)}/pullrequests/${number}`,
      headers: headers(target),
    });
    if (!isOk(answer)) return { state: 'unknown', headSha: null };
    const state = stateOf(answer);
    const headSha = textAt(answer, ['source', 'commit', 'hash']);
    if (state === 'OPEN') return { state: 'open', headSha };
    const isOver = state === 'MERGED' || state === 'DECLINED' || state === 'SUPERSEDED';
    return { state: isOver ? 'closed' : 'unknown', headSha };
  },
};
