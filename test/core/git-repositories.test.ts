import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addRepository,
  createApp,
  getGitRepository,
  listRepositories,
  openRepositoryCredential,
  removeRepository,
  repositorySource,
  rewrapRepositoryCredentials,
  showRepository,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const sentinel = 'sentinel-core-token-a61f3d';

describe('git repositories of a project', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness({ isReconcilerRunning: false });
    await createApp(harness.deps, { name: 'web', project: 'acme' });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('generates an ed25519 deploy key for an ssh URL: the public half shown, the private half only sealed', async () => {
    const view = await addRepository(harness.deps, 'acme', { name: 'api', url: 'git@github.com:acme/api.git' });
    expect(view).toMatchObject({ provider: 'github', auth: 'ssh-key', url: 'git@github.com:acme/api.git' });
    expect(view.publicKey).toMatch(new RegExp(`^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\\S+ slipway-${view.id}$`));
    const record = await getGitRepository(harness.store, view.id);
    expect(JSON.stringify(record)).not.toContain('PRIVATE KEY');
    const opened = openRepositoryCredential(harness.deps, record);
    expect(opened).toMatchObject({ kind: 'ssh-key' });
    expect(opened?.kind === 'ssh-key' ? opened.privateKey : '').toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  });

  it('moves a token out of an https URL into the sealed credential, with the user name the URL gave', async () => {
    const view = await addRepository(harness.deps, 'acme', {
      name: 'web',
      url: `https://bot:${sentinel}@gitlab.com/acme/web.git`,
    });
    expect(view).toMatchObject({ provider: 'gitlab', auth: 'token', url: 'https://gitlab.com/acme/web.git' });
    const record = await getGitRepository(harness.store, view.id);
    expect(JSON.stringify([view, record, await listRepositories(harness.deps, 'acme')])).not.toContain(sentinel);
    expect(openRepositoryCredential(harness.deps, record)).toEqual({ kind: 'token', username: 'bot', token: sentinel });
  });

  it('sends a given token with the user name the provider expects', async () => {
    const view = await addRepository(harness.deps, 'acme', {
      name: 'bb',
      url: 'https://bitbucket.org/acme/bb.git',
      auth: { kind: 'token', token: sentinel },
    });
    const record = await getGitRepository(harness.store, view.id);
    expect(openRepositoryCredential(harness.deps, record)).toMatchObject({ username: 'x-token-auth' });
  });

  it('refuses what cannot authenticate as asked, with coded errors that never quote a token', async () => {
    const refusals = [
      { name: 'a', url: 'git@github.com:acme/a.git', auth: { kind: 'token' as const, token: sentinel } },
      { name: 'b', url: 'https://example.com/b.git', auth: { kind: 'ssh-key' as const } },
      { name: 'c', url: 'http://example.com/c.git', auth: { kind: 'token' as const, token: sentinel } },
      { name: 'd', url: `https://u:${sentinel}@example.com/d.git`, auth: { kind: 'none' as const } },
      { name: 'e', url: '/srv/git/e.git' },
      { name: 'f', url: 'file:///srv/git/f.git' },
      { name: 'g', url: 'host:-oProxyCommand=x' },
      { name: 'h', url: `ssh://git:${sentinel}@example.com/h.git` },
    ];
    for (const body of refusals) {
      const error = await addRepository(harness.deps, 'acme', body).catch((e: unknown) => e);
      expect(['VALIDATION_FAILED', 'SOURCE_INVALID'], body.name).toContain((error as { code?: string }).code);
      expect(JSON.stringify(error) + String(error)).not.toContain(sentinel);
    }
    expect(await listRepositories(harness.deps, 'acme')).toEqual([]);
  });

  it('keeps names unique per project, finds a repository by name or id, and removes it', async () => {
    const view = await addRepository(harness.deps, 'acme', { name: 'api', url: 'https://example.com/api.git' });
    expect(view.auth).toBe('none');
    await expect(
      addRepository(harness.deps, 'acme', { name: 'api', url: 'https://example.com/other.git' }),
    ).rejects.toMatchObject({ code: 'REPOSITORY_ALREADY_EXISTS' });
    await createApp(harness.deps, { name: 'other-app', project: 'other' });
    await addRepository(harness.deps, 'other', { name: 'api', url: 'https://example.com/api.git' });
    expect(await showRepository(harness.deps, 'acme', view.id)).toEqual(view);
    // An id names a repository only within its own project.
    await expect(showRepository(harness.deps, 'other', view.id)).rejects.toMatchObject({
      code: 'REPOSITORY_NOT_FOUND',
    });
    await removeRepository(harness.deps, 'acme', 'api');
    await expect(showRepository(harness.deps, 'acme', 'api')).rejects.toMatchObject({ code: 'REPOSITORY_NOT_FOUND' });
    await expect(listRepositories(harness.deps, 'nowhere')).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
  });

  it('names an exact commit of a repository as a deployment source, and nothing less', async () => {
    const view = await addRepository(harness.deps, 'acme', { name: 'api', url: 'https://example.com/api.git' });
    const record = await getGitRepository(harness.store, view.id);
    const commit = 'a'.repeat(40);
    expect(repositorySource(record, { ref: 'refs/heads/main', commit })).toEqual({
      kind: 'repository',
      repositoryId: view.id,
      url: 'https://example.com/api.git',
      ref: 'refs/heads/main',
      commit,
    });
    expect(() => repositorySource(record, { commit: 'main' })).toThrow(
      expect.objectContaining({ code: 'SOURCE_INVALID' }) as Error,
    );
    expect(() => repositorySource(record, { commit: 'abc1234' })).toThrow();
    expect(repositorySource(record, { commit, path: './services/api/' })).toMatchObject({ path: 'services/api' });
    expect(repositorySource(record, { commit, path: '.' })).not.toHaveProperty('path');
    for (const path of ['../x', 'a/../../b', '/etc', 'a b'])
      expect(() => repositorySource(record, { commit, path }), path).toThrow();
  });

  it('re-wraps credentials under a new master key, which still open once the old one is retired', async () => {
    const view = await addRepository(harness.deps, 'acme', {
      name: 'web',
      url: 'https://example.com/web.git',
      auth: { kind: 'token', token: sentinel },
    });
    const before = await getGitRepository(harness.store, view.id);
    await harness.keyring.beginRotation();
    expect(await rewrapRepositoryCredentials(harness.deps)).toBe(1);
    await harness.keyring.completeRotation();
    const after = await getGitRepository(harness.store, view.id);
    expect(after.credential?.dataKey.masterKeyId).not.toBe(before.credential?.dataKey.masterKeyId);
    expect(openRepositoryCredential(harness.deps, after)).toMatchObject({ token: sentinel });
    expect(await rewrapRepositoryCredentials(harness.deps)).toBe(0);
  });
});
