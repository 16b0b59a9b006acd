/**
 * A preview built out of a real repository mirror (a local git repository as the remote): Bitbucket's 12-digit head
 * is resolved to the full commit the branch points at, the release serves the preview host and the commit's alias,
 * and a head the branch has moved past deploys nothing.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitMirrors } from '@slipway/adapters';
import { createDeploymentRunner, getAppScope, handleGitEvent, listPreviews, type CoreDeps } from '@slipway/core';
import { silentLogger } from '@slipway/testkit';
import { createPreviewWorld, type PreviewWorld } from './preview-fixtures.js';

const gitEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^GIT_/.test(key))),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

describe('a preview out of the repository mirror', () => {
  let world: PreviewWorld;
  let deps: CoreDeps;
  let remote: string;

  beforeEach(async () => {
    world = await createPreviewWorld();
    remote = await world.harness.webSource();
    git(remote, 'init', '-q', '-b', 'main');
    git(remote, 'add', '-A');
    git(remote, 'commit', '-q', '-m', 'v1');
    git(remote, 'checkout', '-q', '-b', 'feature/x');
    git(remote, 'commit', '-q', '--allow-empty', '-m', 'x');
    await world.deps.store.gitRepositories.update({ ...world.repository, url: remote, provider: 'bitbucket' });
    const gitMirrors = createGitMirrors({
      rootDir: join(world.harness.dataDir, 'mirrors'),
      remoteTimeoutMs: 60_000,
      stallTimeoutMs: 60_000,
      localTimeoutMs: 60_000,
      logger: silentLogger,
    });
    deps = { ...world.deps, gitMirrors };
  });
  afterEach(async () => {
    await world.close();
  });

  it("resolves Bitbucket's short head to the branch's commit and serves it on the preview host and its alias", async () => {
    const head = git(remote, 'rev-parse', 'feature/x');
    const event = world.event('opened', 3, { origin: 'bitbucket', headSha: head.slice(0, 12), headRef: 'feature/x' });
    const outcome = await handleGitEvent(deps, event);
    expect(outcome.outcome, outcome.reason).toBe('deployed');
    const [preview] = await listPreviews(deps, 'shop');
    expect(preview?.commit).toBe(head);

    const runner = createDeploymentRunner(deps, world.harness.fleet);
    await runner.run(preview?.deploymentId ?? '', new AbortController().signal);
    const done = await deps.store.deployments.findById(preview?.deploymentId ?? '');
    expect(done?.state, JSON.stringify(done?.failure)).toBe('succeeded');
    const scope = await getAppScope(deps.store, 'shop', 'pr-3');
    const hosts = (await deps.store.routes.listByApp(scope.app.id, scope.environment.id)).map((r) => r.host);
    expect(hosts.sort()).toEqual([`${head.slice(0, 7)}--pr-3.shop.preview.test`, 'pr-3.shop.preview.test']);

    git(remote, 'commit', '-q', '--allow-empty', '-m', 'moved');
    const stale = await handleGitEvent(
      deps,
      world.event('updated', 3, { origin: 'bitbucket', headSha: 'abcdef012345', headRef: 'feature/x' }),
    );
    expect(stale.outcome).toBe('failed');
    expect(stale.reason).toContain('SOURCE_REF_NOT_FOUND');

    expect((await handleGitEvent(deps, world.event('closed', 3, { origin: 'bitbucket' }))).outcome).toBe('removed');
    const claims = (await deps.store.hostClaims.list()).map((c) => c.host);
    expect(claims.filter((host) => host.includes('pr-3'))).toEqual([]);
  });
});
