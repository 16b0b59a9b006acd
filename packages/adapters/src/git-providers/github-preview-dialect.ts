/**
 * GitHub's REST API (also GitHub Enterprise Server at `https://<host>/api/v3`): a commit status `slipway/preview`, a
 * deployment per commit with its statuses (GitHub shows "View deployment"), and one issue comment edited in place.
 */
import type { GitProviderTarget } from '@slipway/core';
import type { ProviderDialect } from './provider-dialect.js';
import { idOf, isOk, refused, stateOf, textAt, type ProviderCall } from './provider-http.js';
import { previewCommentBody, shortDescription } from './preview-comment.js';

const statusState = { waiting: 'pending', building: 'pending', ready: 'success', failed: 'failure' } as const;
const deploymentState = {
  waiting: 'queued',
  building: 'in_progress',
  ready: 'success',
  failed: 'failure',
  removed: 'inactive',
} as const;

function headers(target: GitProviderTarget): Record<string, string> {
  return {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    ...(target.token === null ? {} : { authorization: `Bearer ${target.token}` }),
  };
}

export const githubPreviewDialect: ProviderDialect = {
  async report(http, target, status, refs) {
    const repo = `${target.apiBaseUrl}/repos/${repoPath(target.repositoryPath)}`;
    const send = async (call: Omit<ProviderCall, 'headers'>) => {
      const full = { ...call, headers: headers(target) };
      const answer = await http(full);
      if (!isOk(answer)) throw refused(full, answer);
      return answer;
    };
    const next: Record<string, string> = { ...refs };
    if (status.state !== 'removed') {
      await send({
        method: 'POST',
        url: `${repo}/statuses/${status.commit}`,
        body: {
          state: statusState[status.state],
          context: 'slipway/preview',
          description: shortDescription(status.description),
          ...(status.url === null ? {} : { target_url: status.url }),
        },
      });
      if (next.deploymentCommit !== status.commit) {
        const created = await send({
          method: 'POST',
          url: `${repo}/deployments`,
          body: {
            ref: status.commit,
            environment: status.environment,
            description: shortDescription(`Slipway preview of #${status.number}`),
            auto_merge: false,
            required_contexts: [],
            transient_environment: true,
            production_environment: false,
          },
        });
        const id = idOf(created);
        if (id !== undefined) {
          next.deployment = id;
          next.deploymentCommit = status.commit;
        }
      }
    }
    if (next.deployment !== undefined) {
      await send({
        method: 'POST',
        url: `${repo}/deployments/${next.deployment}/statuses`,
        body: {
          state: deploymentState[status.state],
          description: shortDescription(status.description),
          ...(status.url === null ? {} : { environment_url: status.url }),
          auto_inactive: true,
        },
      });
    }
    const body = previewCommentBody(status);
    if (next.comment !== undefined) {
      const call = { method: 'PATCH' as const, url: `${repo}/issues/comments/${next.comment}`, body: { body } };
      const answer = await http({ ...call, headers: headers(target) });
      if (isOk(answer)) return next;
      // Deleted by someone: a new one is made below.
      if (answer.status !== 404) throw refused({ ...call, headers: headers(target) }, answer);
    }
    const created = await send({ method: 'POST', url: `${repo}/issues/${status.number}/comments`, body: { body } });
    const id = idOf(created);
    if (id !== undefined) next.comment = id;
    return next;
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

/** `owner/name` with each part escaped (the path was validated; this keeps it one path segment each). */
export function repoPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
