/**
 * GitLab's REST API (`https://gitlab.com/api/v4` or a self-managed instance's): a commit status `slipway/preview`
 * and one merge request note edited in place. The project is named by its full path (URL-encoded) or numeric id.
 */
import type { GitProviderTarget } from '@slipway/core';
import type { ProviderDialect } from './provider-dialect.js';
import { idOf, isOk, refused, stateOf, textAt, type ProviderCall } from './provider-http.js';
import { previewCommentBody, shortDescription } from './preview-comment.js';

const statusState = {
  waiting: 'pending',
  building: 'running',
  ready: 'success',
  failed: 'failed',
  removed: 'canceled',
} as const;

function headers(target: GitProviderTarget): Record<string, string> {
  return target.token === null ? {} : { 'private-token': target.token };
}

const projectUrl = (target: GitProviderTarget): string =>
  `${target.apiBaseUrl}/projects/${encodeURIComponent(target.repositoryPath)}`;

export const gitlabPreviewDialect: ProviderDialect = {
  async report(http, target, status, refs) {
    const project = projectUrl(target);
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
        url: `${project}/statuses/${status.commit}`,
        body: {
          state: statusState[status.state],
          name: 'slipway/preview',
          description: shortDescription(status.description),
          ...(status.url === null ? {} : { target_url: status.url }),
        },
      });
    }
    const body = previewCommentBody(status);
    const notes = `${project}/merge_requests/${status.number}/notes`;
    if (next.note !== undefined) {
      const call = { method: 'PUT' as const, url: `${notes}/${next.note}`, body: { body }, headers: headers(target) };
      const answer = await http(call);
      if (isOk(answer)) return next;
      if (answer.status !== 404) throw refused(call, answer);
    }
    const id = idOf(await send({ method: 'POST', url: notes, body: { body } }));
    if (id !== undefined) next.note = id;
    return next;
  },

  async pullRequestState(http, target, number) {
    const answer = await http({
      method: 'GET',
      url: `${projectUrl(target)}/merge_requests/${number}`,
      headers: headers(target),
    });
    if (!isOk(answer)) return { state: 'unknown', headSha: null };
    const state = stateOf(answer);
    const headSha = textAt(answer, ['sha']);
    if (state === 'opened' || state === 'locked') return { state: 'open', headSha };
    return { state: state === 'closed' || state === 'merged' ? 'closed' : 'unknown', headSha };
  },
};
