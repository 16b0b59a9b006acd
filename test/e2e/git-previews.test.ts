/**
 * Pull-request previews against a real slipwayd, a real git server (`git http-backend` behind Basic authentication)
 * and a recording GitHub API: a signed `pull_request` delivery opens a preview at its host serving the head commit
 * with the preview set's config (never production's) and `X-Robots-Tag: noindex`, the pull request is told, a fork's
 * pull request waits until a deployer approves it, and a merge removes every trace. Narrated in order: each step
 * builds on the one before. The provider token never shows in the data directory, the logs or an API answer.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpTestServer, type GitHttpTestServer } from '@slipway/adapters';
import type { DeploymentView, PreviewView, WebhookDeliveryView } from '@slipway/contract';
import { signWebhook } from '@slipway/core';
import { startProviderApiRecorder, waitFor, type ProviderApiRecorder } from '@slipway/testkit';
import { githubPullRequest } from './github-push-payload.js';
import { git } from './git-test-env.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const gitToken = 'sentinel-previews-git-token-3e8b';
const providerToken = 'ghp_SENTINEL_previews_api_token_9c4d';
const app = 'shop';

describe('pull-request previews driven by webhooks', () => {
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let upstream: string;
  let http: GitHttpTestServer;
  let provider: ProviderApiRecorder;
  let repositoryId: string;
  let secret: string;
  let nextId = 500;

  const deliver = async (body: Buffer): Promise<WebhookDeliveryView> => {
    const key = randomUUID();
    const response = await fetch(`${slipwayd.url}/api/v1/hooks/github/${repositoryId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': key,
        ...signWebhook('github', secret, body),
      },
      body,
    });
    expect(response.status).toBe(202);
    await response.body?.cancel();
    return waitFor(
      async () => {
        const listed = await slipwayd.cli(['repos', 'deliveries', 'upstream', '--project', 'acme', '--json']);
        const found = (JSON.parse(listed.stdout) as { deliveries: WebhookDeliveryView[] }).deliveries.find(
          (d) => d.deliveryKey === key,
        );
        if (found?.status !== 'done') throw new Error(`delivery ${key} is ${found?.status ?? 'missing'}`);
        return found;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  };

  const preview = async (number: number): Promise<PreviewView | undefined> =>
    (await slipwayd.api.previews.list(app)).previews.find((p) => p.number === number);

  const finished = (id: string): Promise<DeploymentView> =>
    waitFor(
      async () => {
        const deployment = await slipwayd.api.deployments.get(id);
        if (deployment.state === 'pending' || deployment.state === 'running') throw new Error(`${id} still runs`);
        return deployment;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-previews-'));
    const served = join(workDir, 'served');
    upstream = join(served, 'app.git');
    await cp(join(fixturesDir, 'hello-node'), upstream, { recursive: true });
    git(upstream, 'init', '-q', '-b', 'main');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-q', '-m', 'v1');
    git(upstream, 'checkout', '-q', '-b', 'feature/login');
    git(upstream, 'commit', '-q', '--allow-empty', '-m', 'login');
    http = await startGitHttpTestServer(served, { username: 'x-access-token', password: gitToken });
    provider = await startProviderApiRecorder((request) =>
      request.method === 'GET'
        ? { status: 200, json: { state: 'open' } }
        : { status: 201, json: { id: (nextId += 1) } },
    );
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ env: { SLIPWAY_PREVIEW_SWEEP_INTERVAL_MS: '1000' }, logLevel: 'debug' });
    await slipwayd.api.apps.create({ name: app, project: 'acme' });
    const added = await slipwayd.api.repositories.add('acme', {
      name: 'upstream',
      url: `http://x-access-token:${gitToken}@127.0.0.1:${new URL(http.url).port}/app.git`,
      provider: 'github',
    });
    repositoryId = added.id;
    const rotated = await slipwayd.cli(['repos', 'webhook', 'rotate', 'upstream', '--project', 'acme']);
    expect(rotated.code, rotated.stderr).toBe(0);
    secret = /secret: +(\S+)/.exec(rotated.stdout)?.[1] ?? '';
    const enabled = await slipwayd.cli(
      [
        'previews',
        'enable',
        app,
        '--repo',
        'upstream',
        '--provider',
        'github',
        '--api-url',
        provider.url,
        '--api-repo',
        'acme/shop',
        '--token-stdin',
        '--limit',
        '2',
      ],
      { input: `${providerToken}\n` },
    );
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toContain('token stored');
    expect((await slipwayd.cli(['config', 'set', app, 'MODE=production'])).code).toBe(0);
    expect((await slipwayd.cli(['config', 'set', app, 'MODE=preview', '-e', 'preview'])).code).toBe(0);
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await http.close();
    await provider.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('opens a preview at pr-<n>.<app>.<domain> serving the head commit, marked noindex, and tells the pull request', async () => {
    const head = git(upstream, 'rev-parse', 'feature/login');
    const delivery = await deliver(
      await githubPullRequest('opened', 7, { sha: head, ref: 'feature/login', isFork: false }),
    );
    expect(delivery.outcome, delivery.reason ?? '').toBe('deployed');
    const opened = await preview(7);
    const done = await finished(opened?.deploymentId ?? '');
    expect(done, JSON.stringify(done.failure)).toMatchObject({ state: 'succeeded', environment: 'pr-7' });
    expect(done.source).toMatchObject({ kind: 'git', ref: 'refs/heads/feature/login', commit: head });
    const answer = await slipwayd.edge('pr-7.shop.localhost');
    expect(answer.status).toBe(200);
    expect(answer.headers['x-robots-tag']).toBe('noindex');
    expect((await slipwayd.edge(`${head.slice(0, 7)}--pr-7.shop.localhost`)).status).toBe(200);
    const config = await slipwayd.cli(['config', 'list', app, '-e', 'pr-7', '--json']);
    expect(config.stdout).toContain('"MODE": "preview"');
    await waitFor(async () => expect((await preview(7))?.state).toBe('ready'), { timeoutMs: 30_000, intervalMs: 250 });
    await waitFor(
      () =>
        expect(
          provider.requests.some(
            (r) => r.path === `/repos/acme/shop/statuses/${head}` && (r.json as { state?: string }).state === 'success',
          ),
        ).toBe(true),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(provider.requests.every((r) => r.headers.authorization === `Bearer ${providerToken}`)).toBe(true);
  });

  it("holds a fork's pull request until a deployer approves it with slipway previews approve", async () => {
    const head = git(upstream, 'rev-parse', 'feature/login');
    git(upstream, 'update-ref', 'refs/pull/9/head', head);
    const delivery = await deliver(await githubPullRequest('opened', 9, { sha: head, ref: 'patch-1', isFork: true }));
    expect(delivery.outcome, delivery.reason ?? '').toBe('waiting');
    expect((await preview(9))?.state).toBe('waiting-approval');
    const envs = await slipwayd.api.environments.list(app);
    expect(envs.environments.map((e) => e.name)).not.toContain('pr-9');

    const approved = await slipwayd.cli(['previews', 'approve', app, '9']);
    expect(approved.code, approved.stderr).toBe(0);
    const started = await preview(9);
    const done = await finished(started?.deploymentId ?? '');
    expect(done, JSON.stringify(done.failure)).toMatchObject({ state: 'succeeded' });
    expect(done.source).toMatchObject({ ref: 'refs/pull/9/head', commit: head });
    const listed = await slipwayd.cli(['previews', 'list', app]);
    expect(listed.stdout).toContain('#9');
    expect(listed.stdout).toContain('approved by admin');
  });

  it('removes every trace of a preview when its pull request merges, and says so on the pull request', async () => {
    const head = git(upstream, 'rev-parse', 'feature/login');
    provider.requests.length = 0;
    const delivery = await deliver(
      await githubPullRequest('closed', 7, { sha: head, ref: 'feature/login', isFork: false }, true),
    );
    expect(delivery.outcome, delivery.reason ?? '').toBe('removed');
    expect(await preview(7)).toBeUndefined();
    const envs = await slipwayd.api.environments.list(app);
    expect(envs.environments.map((e) => e.name)).not.toContain('pr-7');
    await waitFor(async () => expect((await slipwayd.edge('pr-7.shop.localhost')).status).toBe(404), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const hosts = await slipwayd.cli(['hosts', 'list', '--json']);
    expect(hosts.stdout).not.toContain('pr-7.shop');
    expect(provider.requests.some((r) => (r.json as { state?: string } | undefined)?.state === 'inactive')).toBe(true);
    expect((await slipwayd.cli(['previews', 'remove', app, '7'])).code).toBe(0);
  });

  it('never shows the provider token: not in the data directory, the logs or an API answer', async () => {
    const shown = await slipwayd.cli(['previews', 'show', app, '--json']);
    expect(shown.stdout).toContain('"hasToken": true');
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) files.push(path);
      }
    };
    await walk(slipwayd.dataDir);
    const sentinel = Buffer.from('SENTINEL_previews_api_token');
    for (const file of files) expect((await readFile(file)).includes(sentinel), file).toBe(false);
    expect(slipwayd.output).not.toContain('SENTINEL_previews_api_token');
    for (const text of [shown.stdout, (await slipwayd.cli(['previews', 'list', app, '--json'])).stdout]) {
      expect(text).not.toContain('SENTINEL');
    }
  });
});
