/**
 * A deploy of a project's repository by hand (`slipway deploy <app> --repo`) over real adapters: the ref resolves to
 * its commit through a real mirror of a real git repository, the deployment names that exact commit, and a ref that
 * is missing or malformed is a coded refusal that records nothing.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitMirrors } from '@slipway/adapters';
import { listDeployments, requestRepositoryDeployment, type CoreDeps } from '@slipway/core';
import { silentLogger } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

function git(cwd: string, ...args: string[]): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com' };
  return execFileSync('git', args, {
    cwd,
    env: { ...env, GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    encoding: 'utf8',
  }).trim();
}

describe('deploying a repository by hand', () => {
  let harness: CoreHarness;
  let deps: CoreDeps;
  let remote: string;

  beforeEach(async () => {
    harness = await createCoreHarness({ isReconcilerRunning: false });
    await harness.createApp('shop');
    remote = await harness.webSource();
    git(remote, 'init', '-q', '-b', 'main');
    git(remote, 'add', '-A');
    git(remote, 'commit', '-q', '-m', 'v1');
    git(remote, 'tag', 'v1.0.0');
    git(remote, 'commit', '-q', '--allow-empty', '-m', 'v2');
    const project = await harness.store.projects.findByName('default');
    const now = Date.now();
    await harness.store.gitRepositories.insert({
      id: 'repo_shop',
      projectId: project?.id ?? '',
      name: 'shop-src',
      provider: 'generic',
      url: remote,
      authKind: 'none',
      publicKey: null,
      credential: null,
      createdAtMs: now,
      updatedAtMs: now,
    });
    const gitMirrors = createGitMirrors({
      rootDir: join(harness.dataDir, 'mirrors'),
      remoteTimeoutMs: 60_000,
      stallTimeoutMs: 60_000,
      localTimeoutMs: 60_000,
      logger: silentLogger,
    });
    deps = { ...harness.deps, gitMirrors };
  });
  afterEach(async () => {
    await harness.close();
  });

  it('deploys the head of main by default, a tag by its full ref, naming the exact commit', async () => {
    const head = git(remote, 'rev-parse', 'main');
    const first = await requestRepositoryDeployment(deps, {
      app: 'shop',
      environment: 'production',
      repository: 'shop-src',
    });
    expect(first.source).toMatchObject({ kind: 'git', url: remote, ref: 'refs/heads/main', commit: head });
    // The first one is over (as a worker would end it), so the next may be asked for.
    await harness.store.jobs.cancelQueued(first.id);
    const record = await harness.store.deployments.findById(first.id);
    if (record === undefined) throw new Error('the deployment was not recorded');
    await harness.store.deployments.update({ ...record, state: 'succeeded', finishedAtMs: Date.now() });
    const tagged = await requestRepositoryDeployment(deps, {
      app: 'shop',
      environment: 'production',
      repository: 'repo_shop',
      ref: 'refs/tags/v1.0.0',
    });
    expect(tagged.source).toMatchObject({
      ref: 'refs/tags/v1.0.0',
      commit: git(remote, 'rev-parse', 'v1.0.0^{commit}'),
    });
  });

  it('refuses a ref the repository lacks, a malformed ref and an unknown repository, recording nothing', async () => {
    const refusals = [
      { repository: 'shop-src', ref: 'release/9' },
      { repository: 'shop-src', ref: 'main;rm -rf /' },
      { repository: 'shop-src', ref: 'refs/heads/../x' },
      { repository: 'nope' },
    ];
    const codes: string[] = [];
    for (const refusal of refusals) {
      const error = await requestRepositoryDeployment(deps, {
        app: 'shop',
        environment: 'production',
        ...refusal,
      }).catch((e: unknown) => e);
      codes.push((error as { code?: string }).code ?? String(error));
    }
    expect(codes).toEqual(['SOURCE_REF_NOT_FOUND', 'SOURCE_INVALID', 'SOURCE_INVALID', 'REPOSITORY_NOT_FOUND']);
    expect(await listDeployments(deps, { app: 'shop', environment: 'production', limit: 10 })).toEqual([]);
  });
});
