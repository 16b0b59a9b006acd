/**
 * Deployment rules driven by GitHub webhooks, against a real slipwayd and a real git server (`git http-backend`
 * behind Basic authentication): a signed push delivery deploys the exact pushed commit to the environment its rule
 * names, through the repository's mirror; a redelivery and a second delivery of the same commit deploy nothing more;
 * a deleted branch deploys nothing; and a push whose webhook never arrives deploys at the next reconcile. Narrated in
 * order: each step builds on the one before.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpTestServer, type GitHttpTestServer } from '@slipway/adapters';
import type { DeploymentRuleView, DeploymentView, WebhookDeliveryView } from '@slipway/contract';
import { signWebhook } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { addGithubUpstream, githubPush } from './github-push-payload.js';
import { git } from './git-test-env.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const token = 'sentinel-rules-token-7d1f0a9c';
const app = 'hooked';
describe('deployment rules driven by webhooks, and the reconcile behind them', () => {
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let upstream: string;
  let http: GitHttpTestServer;
  let repositoryId: string;
  let secret: string;

  const deliver = async (body: Buffer, deliveryKey = randomUUID()): Promise<string> => {
    const response = await fetch(`${slipwayd.url}/api/v1/hooks/github/${repositoryId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': deliveryKey,
        ...signWebhook('github', secret, body),
      },
      body,
    });
    expect(response.status).toBe(202);
    await response.body?.cancel();
    return deliveryKey;
  };

  const settled = (key: string): Promise<WebhookDeliveryView> =>
    waitFor(
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

  const deployments = async (environment: string): Promise<DeploymentView[]> =>
    (await slipwayd.api.deployments.list(app, { environment })).deployments;

  const finished = (id: string): Promise<DeploymentView> =>
    waitFor(
      async () => {
        const deployment = await slipwayd.api.deployments.get(id);
        if (deployment.state === 'pending' || deployment.state === 'running') throw new Error(`${id} still runs`);
        return deployment;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

  const restart = async (env: Record<string, string> = {}): Promise<void> => {
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ env });
  };

  const rule = async (): Promise<DeploymentRuleView | undefined> => (await slipwayd.api.rules.list(app)).rules[0];

  const commit = (message: string): string => {
    git(upstream, 'commit', '-q', '--allow-empty', '-m', message);
    return git(upstream, 'rev-parse', 'HEAD');
  };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-rules-hooks-'));
    const served = join(workDir, 'served');
    upstream = join(served, 'app.git');
    await cp(join(fixturesDir, 'hello-node'), upstream, { recursive: true });
    git(upstream, 'init', '-q', '-b', 'main');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-q', '-m', 'v1');
    // Two release branches: until a push says which, the reconcile deploys neither.
    git(upstream, 'branch', 'release/0');
    git(upstream, 'checkout', '-q', '-b', 'release/1');
    http = await startGitHttpTestServer(served, { username: 'x-access-token', password: token });
    slipwayd = await SlipwaydHarness.create();
    // The reconcile keeps its default interval (minutes) until the step that is about it, so no pass races a delivery.
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: app, project: 'acme' });
    expect((await slipwayd.cli(['env', 'create', app, 'staging'])).code).toBe(0);
    ({ repositoryId, secret } = await addGithubUpstream(slipwayd, http.url, token));
    await slipwayd.api.rules.add(app, {
      repository: 'upstream',
      refPattern: 'refs/heads/release/*',
      environment: 'staging',
    });
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await http.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('deploys the pushed commit to the environment its rule names, through the mirror', async () => {
    const head = git(upstream, 'rev-parse', 'HEAD');
    const key = await deliver(await githubPush('refs/heads/release/1', null, head));
    const delivery = await settled(key);
    expect(delivery.outcome, delivery.reason ?? '').toBe('deployed');
    expect(delivery.reason).toContain('rule 1');
    const [deployment] = await deployments('staging');
    const done = await finished(deployment?.id ?? '');
    expect(done, JSON.stringify(done.failure)).toMatchObject({ state: 'succeeded' });
    expect(done.source).toMatchObject({ kind: 'git', ref: 'refs/heads/release/1', commit: head });
    expect((await slipwayd.edge(`${app}-staging.localhost`)).status).toBe(200);
    expect(await deployments('production')).toEqual([]);
    expect(await rule()).toMatchObject({ triggerCount: 1, lastDeployedCommit: head });
  });

  it('deploys nothing more for a redelivery, another delivery of the same commit, or a deleted branch', async () => {
    const head = git(upstream, 'rev-parse', 'HEAD');
    const body = await githubPush('refs/heads/release/1', null, head);
    const key = await deliver(body);
    expect((await settled(key)).outcome).toBe('ignored');
    const replay = await fetch(`${slipwayd.url}/api/v1/hooks/github/${repositoryId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': key,
        ...signWebhook('github', secret, body),
      },
      body,
    });
    expect(replay.status).toBe(202);
    await replay.body?.cancel();
    const deleted = await deliver(await githubPush('refs/heads/release/0', head, null));
    const deletedDelivery = await settled(deleted);
    expect(deletedDelivery.outcome).toBe('ignored');
    expect(deletedDelivery.reason).toContain('was deleted');
    expect(await deployments('staging')).toHaveLength(1);
    expect((await rule())?.triggerCount).toBe(1);
  });

  it('deploys a pushed commit whose webhook never arrived at the next reconcile', async () => {
    await restart({ SLIPWAY_GIT_RECONCILE_INTERVAL_MS: '5000' });
    const missed = commit('v2');
    await waitFor(async () => expect(await rule()).toMatchObject({ triggerCount: 2, lastDeployedCommit: missed }), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const [latest] = await deployments('staging');
    expect(latest?.source).toMatchObject({ kind: 'git', ref: 'refs/heads/release/1', commit: missed });
    const done = await finished(latest?.id ?? '');
    expect(done, JSON.stringify(done.failure)).toMatchObject({ state: 'succeeded' });
    // Its webhook arriving late changes nothing.
    const late = await deliver(await githubPush('refs/heads/release/1', null, missed));
    expect((await settled(late)).outcome).toBe('ignored');
    expect(await deployments('staging')).toHaveLength(2);
    await restart();
  });

  it("goes through the environment's approval policy, whose ref patterns see the full ref", async () => {
    await slipwayd.api.environments.setApprovalPolicy(app, 'staging', { refPatterns: ['refs/tags/*'] });
    const next = commit('v3');
    const key = await deliver(await githubPush('refs/heads/release/1', null, next));
    expect((await settled(key)).outcome).toBe('deployed');
    const [latest] = await deployments('staging');
    const done = await finished(latest?.id ?? '');
    expect(done.state).toBe('failed');
    expect(done.failure?.code).toBe('APPROVAL_REF_NOT_ALLOWED');
    expect(done.failure?.reason).toContain('refs/heads/release/1');
  });

  it('deploys a push once when slipwayd is killed after acting on its delivery and before recording it', async () => {
    await slipwayd.api.environments.clearApprovalPolicy(app, 'staging');
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({
      env: { SLIPWAY_FAILPOINTS: 'webhook:handled=kill' },
    });
    const pid = slipwayd.pid;
    const next = commit('v4');
    const key = randomUUID();
    // The answer may or may not leave before the process dies; the delivery is stored before it does.
    await deliver(await githubPush('refs/heads/release/1', null, next), key).catch(() => undefined);
    await waitFor(
      () => {
        try {
          process.kill(pid ?? 0, 0);
        } catch {
          return true;
        }
        throw new Error('slipwayd still runs');
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await slipwayd.kill('SIGKILL');
    await slipwayd.start();
    // Handled twice (the first time it deployed, then slipwayd died), deployed once.
    const delivery = await settled(key);
    expect(delivery).toMatchObject({ attempts: 2, outcome: 'ignored' });
    expect(delivery.reason).toContain('deployed already');
    const ofCommit = (await deployments('staging')).filter((d) => d.source.kind === 'git' && d.source.commit === next);
    expect(ofCommit).toHaveLength(1);
    expect((await finished(ofCommit[0]?.id ?? '')).state).toBe('succeeded');
    expect(await rule()).toMatchObject({ lastDeployedCommit: next });
  }, 120_000);
});
