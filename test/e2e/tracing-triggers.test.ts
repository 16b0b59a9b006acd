/**
 * Traces of deployments that no API request started, against a real slipwayd exporting to a real OTLP/HTTP receiver
 * and a real git server (`git http-backend`): a signed push delivery's deployment is traced under a `git.webhook` root
 * span, a push queued behind a busy environment under `git.queued-push` once it fires, and a push whose webhook never
 * came under `git.reconcile`; each with its run and phases below it, as an API request's deployment is. Narrated in
 * order: each step builds on the one before.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpTestServer, type GitHttpTestServer } from '@slipway/adapters';
import type { DeploymentView } from '@slipway/contract';
import { signWebhook } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { addGithubUpstream, githubPush } from './github-push-payload.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { git } from './git-test-env.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const token = 'sentinel-trigger-token-3b9e1f';
const app = 'triggered';
describe('traces of deployments started by a webhook, a queued push and the reconcile', () => {
  let receiver: OtlpReceiver;
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let upstream: string;
  let http: GitHttpTestServer;
  let repositoryId = '';
  let secret = '';
  const tracingArgs = (): string[] => ['--otlp-endpoint', receiver.url];

  const deliver = async (body: Buffer): Promise<void> => {
    const response = await fetch(`${slipwayd.url}/api/v1/hooks/github/${repositoryId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        ...signWebhook('github', secret, body),
      },
      body,
    });
    expect(response.status).toBe(202);
    await response.body?.cancel();
  };

  const commit = (message: string): string => {
    git(upstream, 'commit', '-q', '--allow-empty', '-m', message);
    return git(upstream, 'rev-parse', 'HEAD');
  };

  /** The staging deployment of `commit`, once it has succeeded. */
  const deployedCommit = (sha: string): Promise<DeploymentView> =>
    waitFor(
      async () => {
        const { deployments } = await slipwayd.api.deployments.list(app, { environment: 'staging' });
        const found = deployments.find((d) => d.source.kind === 'git' && d.source.commit === sha);
        expect(found?.state).toBe('succeeded');
        return found as DeploymentView;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

  /** The deployment's run span, its parent (the trigger) and the run's phases, once exported. */
  const traceOf = async (deploymentId: string) => {
    const run = await waitFor(
      () => {
        const found = receiver
          .named('deployment.run')
          .find((s) => s.attributes['slipway.deployment.id'] === deploymentId);
        expect(found).toBeDefined();
        const phases = receiver.spans.filter((s) => s.parentSpanId === found?.spanId).map((s) => s.name);
        expect(phases).toContain('deployment.finalize');
        return found as ReceivedSpan;
      },
      { timeoutMs: 30_000 },
    );
    const trigger = await waitFor(
      () => {
        const found = receiver.spans.find((s) => s.spanId === run.parentSpanId);
        expect(found).toBeDefined();
        return found as ReceivedSpan;
      },
      { timeoutMs: 30_000 },
    );
    const phases = receiver.spans.filter((s) => s.parentSpanId === run.spanId).map((s) => s.name);
    return { run, trigger, phases };
  };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    workDir = await mkdtemp(join(tmpdir(), 'slipway-trace-triggers-'));
    const served = join(workDir, 'served');
    upstream = join(served, 'app.git');
    await cp(join(fixturesDir, 'hello-node'), upstream, { recursive: true });
    git(upstream, 'init', '-q', '-b', 'release/1');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-q', '-m', 'v1');
    http = await startGitHttpTestServer(served, { username: 'x-access-token', password: token });
    slipwayd = await SlipwaydHarness.create();
    // The reconcile keeps its default interval (minutes) until the step that is about it.
    await slipwayd.start({ args: tracingArgs() });
    await slipwayd.api.apps.create({ name: app, project: 'acme' });
    expect((await slipwayd.cli(['env', 'create', app, 'staging'])).code).toBe(0);
    ({ repositoryId, secret } = await addGithubUpstream(slipwayd, http.url, token));
    await slipwayd.api.rules.add(app, {
      repository: 'upstream',
      refPattern: 'refs/heads/release/*',
      environment: 'staging',
    });
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
    await http.close();
    await receiver.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it("traces a webhook delivery's deployment under a git.webhook root span", async () => {
    const head = git(upstream, 'rev-parse', 'HEAD');
    await deliver(await githubPush('refs/heads/release/1', null, head));
    const deployment = await deployedCommit(head);
    const { run, trigger, phases } = await traceOf(deployment.id);
    expect(trigger).toMatchObject({ name: 'git.webhook', parentSpanId: '', traceId: run.traceId });
    expect(trigger.attributes).toMatchObject({ 'slipway.git.provider': 'github', 'slipway.webhook.attempt': 1 });
    expect(String(trigger.attributes['slipway.webhook.delivery.id'])).toMatch(/^\w+/);
    expect(phases).toEqual(
      expect.arrayContaining(['deployment.fetch', 'deployment.build', 'deployment.release', 'deployment.rollout']),
    );
  });

  it('traces a push queued behind a busy environment under a git.queued-push root span once it fires', async () => {
    // A build that runs until it is cancelled keeps staging busy.
    const slow = join(workDir, 'slow-build');
    await cp(join(fixturesDir, 'slow-build'), slow, { recursive: true });
    const script = await readFile(join(slow, 'build.js'), 'utf8');
    await writeFile(join(slow, 'build.js'), script.replace('|| 4)', '|| 600)'));
    const { deployment: busy } = await slipwayd.api.deployments.create(app, { path: slow }, { environment: 'staging' });
    const queued = commit('v2');
    await deliver(await githubPush('refs/heads/release/1', null, queued));
    await waitFor(
      async () => {
        const listed = await slipwayd.cli(['repos', 'deliveries', 'upstream', '--project', 'acme', '--json']);
        expect(listed.stdout).toContain('queued: ');
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await slipwayd.api.deployments.cancel(busy.id);
    const deployment = await deployedCommit(queued);
    const { run, trigger, phases } = await traceOf(deployment.id);
    expect(trigger).toMatchObject({ name: 'git.queued-push', parentSpanId: '', traceId: run.traceId });
    expect(phases).toContain('deployment.build');
  }, 180_000);

  it('traces a push whose webhook never came under a git.reconcile root span', async () => {
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ args: tracingArgs(), env: { SLIPWAY_GIT_RECONCILE_INTERVAL_MS: '5000' } });
    const missed = commit('v3');
    const deployment = await deployedCommit(missed);
    const { run, trigger, phases } = await traceOf(deployment.id);
    expect(trigger).toMatchObject({ name: 'git.reconcile', parentSpanId: '', traceId: run.traceId });
    expect(phases).toContain('deployment.rollout');
    // Passes that deployed nothing left no span: one reconcile span per deploying pass.
    expect(receiver.named('git.reconcile')).toHaveLength(1);
  }, 180_000);
});
