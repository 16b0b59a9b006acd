/**
 * Pull-request previews over real adapters (SQLite, the secret cipher, the provider client against a recording API):
 * an environment per pull request at a deterministic host, redeployed at the exact head commit, with the preview
 * set's config and secrets and never production's, forks waiting for a deployer, a per-app limit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  approvePreview,
  cancelDeployment,
  changeSecrets,
  getAppScope,
  handleGitEvent,
  listPreviews,
  patchConfig,
  sweepPreviews,
  type DeploymentRecord,
} from '@slipway/core';
import { commitA, commitB, createPreviewWorld, providerToken, type PreviewWorld } from './preview-fixtures.js';

describe('pull-request previews', () => {
  let world: PreviewWorld;
  beforeEach(async () => {
    world = await createPreviewWorld({ maxPreviews: 2 });
  });
  afterEach(async () => {
    await world.close();
  });

  const deploymentsOf = async (environment: string): Promise<DeploymentRecord[]> => {
    const scope = await getAppScope(world.deps.store, 'shop', environment);
    return world.deps.store.deployments.list(scope.app.id, scope.environment.id, 10);
  };
  const requests = () => world.provider.requests.map((r) => `${r.method} ${r.path}`);

  it('opens pr-<n> at its host and deploys the exact head commit of its branch, once however often it is asked', async () => {
    const outcome = await handleGitEvent(world.deps, world.event('opened', 7));
    expect(outcome.outcome).toBe('deployed');
    const [deployment] = await deploymentsOf('pr-7');
    expect(outcome.deploymentIds).toEqual([deployment?.id]);
    expect(deployment?.source).toEqual({
      kind: 'repository',
      repositoryId: 'repo_shop',
      url: 'https://github.example/acme/shop.git',
      ref: 'refs/heads/feature/change-7',
      commit: commitA,
    });
    expect((await world.deps.store.hostClaims.findByHost('pr-7.shop.preview.test'))?.origin).toBe('default');
    const [preview] = await listPreviews(world.deps, 'shop');
    expect(preview).toMatchObject({
      number: 7,
      environment: 'pr-7',
      state: 'deploying',
      commit: commitA,
      host: 'pr-7.shop.preview.test',
      aliasHost: `${commitA.slice(0, 7)}--pr-7.shop.preview.test`,
    });
    expect(requests()).toEqual([
      `POST /repos/acme/shop/statuses/${commitA}`,
      'POST /repos/acme/shop/deployments',
      'POST /repos/acme/shop/deployments/1002/statuses',
      'POST /repos/acme/shop/issues/7/comments',
    ]);
    expect(world.provider.requests[0]?.headers.authorization).toBe(`Bearer ${providerToken}`);

    const again = await handleGitEvent(world.deps, world.event('opened', 7));
    const updatedSame = await handleGitEvent(world.deps, world.event('updated', 7));
    expect([again.outcome, updatedSame.outcome]).toEqual(['ignored', 'ignored']);
    expect(await deploymentsOf('pr-7')).toHaveLength(1);
  });

  it('redeploys the new head on an update: the older deployment is cancelled and the sweep deploys the head', async () => {
    await handleGitEvent(world.deps, world.event('opened', 7));
    const [first] = await deploymentsOf('pr-7');
    const update = await handleGitEvent(world.deps, world.event('updated', 7, { headSha: commitB }));
    expect(update.outcome).toBe('waiting');
    expect((await world.deps.store.deployments.findById(first?.id ?? ''))?.state).toBe('cancelled');

    await sweepPreviews(world.deps, { askProvider: false });
    const [newest] = await deploymentsOf('pr-7');
    expect(newest?.id).not.toBe(first?.id);
    expect(newest?.source).toMatchObject({ kind: 'repository', commit: commitB });
    await sweepPreviews(world.deps, { askProvider: false });
    expect(await deploymentsOf('pr-7')).toHaveLength(2);
  });

  it('deploys a moved head once when the sweep and a redelivered event reach it at the same time', async () => {
    await handleGitEvent(world.deps, world.event('opened', 7));
    await handleGitEvent(world.deps, world.event('updated', 7, { headSha: commitB }));
    await Promise.all([
      sweepPreviews(world.deps, { askProvider: false }),
      handleGitEvent(world.deps, world.event('updated', 7, { headSha: commitB })),
      sweepPreviews(world.deps, { askProvider: false }),
    ]);
    const all = await deploymentsOf('pr-7');
    expect(all.map((d) => (d.source.kind === 'repository' ? d.source.commit : d.source.kind))).toEqual([
      commitB,
      commitA,
    ]);
    expect(all[0]?.state).toBe('pending');
  });

  it("gives a preview the preview set's config and secrets, never production's, also after production changes", async () => {
    await patchConfig(world.deps, {
      app: 'shop',
      environment: 'production',
      set: { MODE: 'prod' },
      unset: [],
      deploy: false,
    });
    await changeSecrets(world.deps, {
      app: 'shop',
      environment: 'production',
      set: { DB_PASSWORD: 'prod-secret' },
      unset: [],
      deploy: false,
    });
    await patchConfig(world.deps, {
      app: 'shop',
      environment: 'preview',
      set: { MODE: 'preview' },
      unset: [],
      deploy: false,
    });
    await changeSecrets(world.deps, {
      app: 'shop',
      environment: 'preview',
      set: { DB_PASSWORD: 'preview-secret' },
      unset: [],
      deploy: false,
    });

    await handleGitEvent(world.deps, world.event('opened', 7));
    const scope = await getAppScope(world.deps.store, 'shop', 'pr-7');
    expect(scope.appEnvironment.config).toEqual({ MODE: 'preview' });
    const names = async () =>
      (await world.deps.store.secrets.list(scope.app.id, scope.environment.id)).map((s) => s.name);
    expect(await names()).toEqual(['DB_PASSWORD']);

    await changeSecrets(world.deps, {
      app: 'shop',
      environment: 'production',
      set: { STRIPE_KEY: 'sk_live_x' },
      unset: [],
      deploy: false,
    });
    await changeSecrets(world.deps, {
      app: 'shop',
      environment: 'preview',
      set: {},
      unset: ['DB_PASSWORD'],
      deploy: false,
    });
    const [pending] = await deploymentsOf('pr-7');
    await cancelDeployment(world.deps, { id: pending?.id ?? '', by: 'test' });
    await handleGitEvent(world.deps, world.event('updated', 7, { headSha: commitB }));
    expect(await names()).toEqual([]);
  });

  it("holds a fork's commit until a deployer approves it, and holds each later commit again", async () => {
    const fork = { isFork: true, headCloneUrl: 'https://github.example/someone/shop.git' };
    const opened = await handleGitEvent(world.deps, world.event('opened', 9, fork));
    expect(opened.outcome).toBe('waiting');
    expect(opened.reason).toContain('slipway previews approve shop 9');
    expect(await world.deps.store.environments.find(world.repository.projectId, 'pr-9')).toBeUndefined();
    expect((await listPreviews(world.deps, 'shop'))[0]?.state).toBe('waiting-approval');

    const { preview, outcome } = await approvePreview(world.deps, { app: 'shop', number: 9, by: 'alice' });
    expect(outcome.outcome).toBe('deployed');
    expect(preview.approvedBy).toBe('alice');
    const [deployment] = await deploymentsOf('pr-9');
    expect(deployment?.source).toMatchObject({ ref: 'refs/pull/9/head', commit: commitA });
    expect(deployment?.requestedBy).toBe('alice');

    const moved = await handleGitEvent(world.deps, world.event('updated', 9, { ...fork, headSha: commitB }));
    expect(moved.outcome).toBe('waiting');
    expect(await deploymentsOf('pr-9')).toHaveLength(1);
  });

  it('keeps a pull request over the limit waiting, and starts it once a preview is removed', async () => {
    await handleGitEvent(world.deps, world.event('opened', 1));
    await handleGitEvent(world.deps, world.event('opened', 2));
    const third = await handleGitEvent(world.deps, world.event('opened', 3));
    expect(third.outcome).toBe('waiting');
    expect(third.reason).toContain('limit');
    expect((await listPreviews(world.deps, 'shop')).map((p) => p.state)).toEqual(['deploying', 'deploying', 'limited']);

    const closed = await handleGitEvent(world.deps, world.event('closed', 1));
    expect(closed.outcome).toBe('removed');
    await sweepPreviews(world.deps, { askProvider: false });
    expect((await listPreviews(world.deps, 'shop')).map((p) => [p.number, p.state])).toEqual([
      [2, 'deploying'],
      [3, 'deploying'],
    ]);
  });

  it('refuses a head that is not a commit id or a branch name git would not take, deploying nothing', async () => {
    const bad = await handleGitEvent(world.deps, world.event('opened', 4, { headSha: 'HEAD;rm -rf /' }));
    const dots = await handleGitEvent(world.deps, world.event('opened', 5, { headRef: '../../etc' }));
    const shell = await handleGitEvent(world.deps, world.event('opened', 6, { headRef: 'x$(reboot)' }));
    expect([bad.outcome, dots.outcome, shell.outcome]).toEqual(['failed', 'failed', 'failed']);
    expect(await listPreviews(world.deps, 'shop')).toEqual([]);
  });

  it('ignores pull requests of a repository no app previews', async () => {
    const outcome = await handleGitEvent(world.deps, { ...world.event('opened', 7), repositoryId: 'repo_other' });
    expect(outcome).toEqual({ outcome: 'ignored', reason: 'no app previews pull requests of repository repo_other' });
  });
});
