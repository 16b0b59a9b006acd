import { afterEach, describe, expect, it } from 'vitest';
import type { GitProviderTarget, PreviewStatus } from '@slipway/core';
import {
  failureOf,
  startProviderApiRecorder,
  type ProviderApiRecorder,
  type RecordedApiRequest,
} from '@slipway/testkit';
import { createGitProviderClient } from './git-provider-client.js';

const token = 'ghp_SENTINEL_provider_token_7f3a';
const commit = '0123456789abcdef0123456789abcdef01234567';
const noSleep = async (): Promise<void> => undefined;
const client = createGitProviderClient({ timeoutMs: 2_000, retryDelaysMs: [0, 0], sleep: noSleep });

const status = (state: PreviewStatus['state'], url: string | null = null): PreviewStatus => ({
  number: 7,
  commit,
  state,
  url,
  aliasUrl: url === null ? null : 'https://0123456--pr-7.shop.preview.test',
  environment: 'pr-7',
  description: state === 'ready' ? '0123456 is live' : 'deploying 0123456',
});

let recorder: ProviderApiRecorder | undefined;
afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
});

const target = (
  kind: GitProviderTarget['kind'],
  apiBaseUrl: string,
  repositoryPath = 'acme/shop',
): GitProviderTarget => ({
  kind,
  apiBaseUrl,
  repositoryPath,
  token,
});

const summary = (requests: readonly RecordedApiRequest[]) => requests.map((r) => `${r.method} ${r.path}`);

describe('GitHub', () => {
  it('sets the commit status, opens a deployment with its status, and comments once, then edits that comment', async () => {
    let nextId = 100;
    recorder = await startProviderApiRecorder((request) =>
      request.method === 'POST' ? { status: 201, json: { id: (nextId += 1) } } : { status: 200, json: {} },
    );
    const github = target('github', recorder.url);
    const refs = await client.reportPreview(github, status('building'), {});
    expect(summary(recorder.requests)).toEqual([
      `POST /repos/acme/shop/statuses/${commit}`,
      'POST /repos/acme/shop/deployments',
      'POST /repos/acme/shop/deployments/102/statuses',
      'POST /repos/acme/shop/issues/7/comments',
    ]);
    const [statusCall, deployment, deploymentStatus, comment] = recorder.requests;
    expect(statusCall?.json).toEqual({
      state: 'pending',
      context: 'slipway/preview',
      description: 'deploying 0123456',
    });
    expect(deployment?.json).toMatchObject({
      ref: commit,
      environment: 'pr-7',
      auto_merge: false,
      required_contexts: [],
      transient_environment: true,
      production_environment: false,
    });
    expect(deploymentStatus?.json).toMatchObject({ state: 'in_progress' });
    expect((comment?.json as { body: string }).body).toContain('<!-- slipway-preview pr-7 -->');
    for (const request of recorder.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${token}`);
      expect(request.headers['x-github-api-version']).toBe('2022-11-28');
      expect(request.headers.accept).toBe('application/vnd.github+json');
      expect(request.path).not.toContain(token);
    }
    expect(refs).toEqual({ deployment: '102', deploymentCommit: commit, comment: '104' });

    recorder.requests.length = 0;
    const after = await client.reportPreview(github, status('ready', 'https://pr-7.shop.preview.test'), refs);
    expect(summary(recorder.requests)).toEqual([
      `POST /repos/acme/shop/statuses/${commit}`,
      'POST /repos/acme/shop/deployments/102/statuses',
      'PATCH /repos/acme/shop/issues/comments/104',
    ]);
    expect(recorder.requests[0]?.json).toMatchObject({
      state: 'success',
      target_url: 'https://pr-7.shop.preview.test',
    });
    expect(recorder.requests[1]?.json).toMatchObject({
      state: 'success',
      environment_url: 'https://pr-7.shop.preview.test',
    });
    const body = (recorder.requests[2]?.json as { body: string }).body;
    expect(body).toContain('✅ Ready');
    expect(body).toContain('https://0123456--pr-7.shop.preview.test');
    expect(after).toEqual(refs);
  });

  it('marks the deployment inactive and the comment removed when the preview goes, with no commit status', async () => {
    recorder = await startProviderApiRecorder(() => ({ status: 200, json: {} }));
    await client.reportPreview(target('github', recorder.url), status('removed'), { deployment: '5', comment: '9' });
    expect(summary(recorder.requests)).toEqual([
      'POST /repos/acme/shop/deployments/5/statuses',
      'PATCH /repos/acme/shop/issues/comments/9',
    ]);
    expect(recorder.requests[0]?.json).toMatchObject({ state: 'inactive' });
  });

  it('makes a new comment when the one it kept was deleted', async () => {
    recorder = await startProviderApiRecorder((request) =>
      request.method === 'PATCH' ? { status: 404, json: { message: 'Not Found' } } : { status: 201, json: { id: 44 } },
    );
    const refs = await client.reportPreview(target('github', recorder.url), status('removed'), { comment: '9' });
    expect(summary(recorder.requests)).toEqual([
      'PATCH /repos/acme/shop/issues/comments/9',
      'POST /repos/acme/shop/issues/7/comments',
    ]);
    expect(refs.comment).toBe('44');
  });

  it('tells open from closed pull requests, and says unknown when it cannot tell', async () => {
    recorder = await startProviderApiRecorder((request) =>
      request.path.endsWith('/pulls/7')
        ? { status: 200, json: { state: 'open', head: { sha: 'feedface'.repeat(5) } } }
        : request.path.endsWith('/pulls/8')
          ? { status: 200, json: { state: 'closed', merged: true } }
          : { status: 404, json: { message: 'Not Found' } },
    );
    const github = target('github', recorder.url);
    expect(await client.pullRequestState(github, 7)).toEqual({ state: 'open', headSha: 'feedface'.repeat(5) });
    expect((await client.pullRequestState(github, 8)).state).toBe('closed');
    expect((await client.pullRequestState(github, 9)).state).toBe('unknown');
  });
});

describe('GitLab', () => {
  it('sets the commit status and keeps one merge request note, addressing the project by its encoded path', async () => {
    recorder = await startProviderApiRecorder((request) =>
      request.method === 'POST' ? { status: 201, json: { id: 31 } } : { status: 200, json: { id: 31 } },
    );
    const gitlab = target('gitlab', `${recorder.url}/api/v4`, 'acme/tools/shop');
    const refs = await client.reportPreview(gitlab, status('building'), {});
    await client.reportPreview(gitlab, status('failed'), refs);
    expect(summary(recorder.requests)).toEqual([
      `POST /api/v4/projects/acme%2Ftools%2Fshop/statuses/${commit}`,
      'POST /api/v4/projects/acme%2Ftools%2Fshop/merge_requests/7/notes',
      `POST /api/v4/projects/acme%2Ftools%2Fshop/statuses/${commit}`,
      'PUT /api/v4/projects/acme%2Ftools%2Fshop/merge_requests/7/notes/31',
    ]);
    expect(recorder.requests[0]?.json).toMatchObject({ state: 'running', name: 'slipway/preview' });
    expect(recorder.requests[2]?.json).toMatchObject({ state: 'failed' });
    for (const request of recorder.requests) expect(request.headers['private-token']).toBe(token);
    expect(refs).toEqual({ note: '31' });
  });

  it('counts merged and closed merge requests as closed', async () => {
    recorder = await startProviderApiRecorder((request) => ({
      status: 200,
      json: { state: request.path.endsWith('/1') ? 'opened' : request.path.endsWith('/2') ? 'merged' : 'closed' },
    }));
    const gitlab = target('gitlab', `${recorder.url}/api/v4`);
    expect((await client.pullRequestState(gitlab, 1)).state).toBe('open');
    expect((await client.pullRequestState(gitlab, 2)).state).toBe('closed');
    expect((await client.pullRequestState(gitlab, 3)).state).toBe('closed');
  });
});

describe('Gitea and Bitbucket', () => {
  it('sets a Gitea commit status with its token scheme', async () => {
    recorder = await startProviderApiRecorder(() => ({ status: 201, json: { id: 1 } }));
    await client.reportPreview(target('gitea', `${recorder.url}/api/v1`), status('ready', 'https://pr-7.x.test'), {});
    expect(summary(recorder.requests)).toEqual([`POST /api/v1/repos/acme/shop/statuses/${commit}`]);
    expect(recorder.requests[0]?.headers.authorization).toBe(`token ${token}`);
    expect(recorder.requests[0]?.json).toEqual({
      state: 'success',
      context: 'slipway/preview',
      description: '0123456 is live',
      target_url: 'https://pr-7.x.test',
    });
  });

  it('sets a Bitbucket build status, with the pull request page as its URL until the preview serves', async () => {
    recorder = await startProviderApiRecorder((request) =>
      request.method === 'GET' ? { status: 200, json: { state: 'DECLINED' } } : { status: 201, json: {} },
    );
    const bitbucket = target('bitbucket', `${recorder.url}/2.0`, 'acme/shop');
    await client.reportPreview(bitbucket, status('building'), {});
    expect(summary(recorder.requests)).toEqual([`POST /2.0/repositories/acme/shop/commit/${commit}/statuses/build`]);
    expect(recorder.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(recorder.requests[0]?.json).toEqual({
      key: 'slipway-preview',
      name: 'Slipway preview pr-7',
      state: 'INPROGRESS',
      description: 'deploying 0123456',
      url: 'https://bitbucket.org/acme/shop/pull-requests/7',
    });
    expect((await client.pullRequestState(bitbucket, 7)).state).toBe('closed');
  });
});

describe('retries and deadlines', () => {
  it('retries a 502 and a 429, then succeeds', async () => {
    recorder = await startProviderApiRecorder(() => ({ status: 201, json: {} }));
    recorder.queued.push({ status: 502 }, { status: 429 });
    await client.reportPreview(target('gitea', recorder.url), status('building'), {});
    expect(recorder.requests).toHaveLength(3);
  });

  it('gives up after its retries with a coded error that names neither the token nor the path', async () => {
    recorder = await startProviderApiRecorder(() => ({ status: 503 }));
    const error = await failureOf(client.reportPreview(target('gitea', recorder.url), status('building'), {}));
    expect(error.code).toBe('GIT_PROVIDER_UNAVAILABLE');
    expect(recorder.requests).toHaveLength(3);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/SENTINEL|acme|statuses/);
  });

  it('does not retry a 401, which says the token is wrong', async () => {
    recorder = await startProviderApiRecorder(() => ({ status: 401, json: { message: 'Bad credentials' } }));
    const error = await failureOf(client.reportPreview(target('github', recorder.url), status('building'), {}));
    expect(error.code).toBe('GIT_PROVIDER_UNAVAILABLE');
    expect(error.details).toEqual({ status: 401 });
    expect(recorder.requests).toHaveLength(1);
  });

  it('stops waiting for an API that never answers at the deadline of each attempt', async () => {
    recorder = await startProviderApiRecorder();
    recorder.isHanging = true;
    const quick = createGitProviderClient({ timeoutMs: 200, retryDelaysMs: [0], sleep: noSleep });
    const error = await failureOf(quick.reportPreview(target('gitea', recorder.url), status('building'), {}));
    expect(error.code).toBe('GIT_PROVIDER_UNAVAILABLE');
    expect(error.message).toContain('deadline');
    expect(recorder.requests).toHaveLength(2);
    expect((await quick.pullRequestState(target('gitea', recorder.url), 7)).state).toBe('unknown');
  });
});
