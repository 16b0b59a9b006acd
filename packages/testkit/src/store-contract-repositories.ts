/** Store contract, git repositories part: names unique per project, the sealed credential kept whole, removal. */
import { describe, expect, it } from 'vitest';
import type { GitRepositoryRecord, Store } from '@slipway/core';
import { otherProject, project, t0 } from './store-contract-fixtures.js';

const repository = (id: string, over: Partial<GitRepositoryRecord> = {}): GitRepositoryRecord => ({
  id,
  projectId: project.id,
  name: 'api',
  provider: 'github',
  url: 'git@github.com:acme/api.git',
  authKind: 'ssh-key',
  publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample slipway-repo_01',
  credential: {
    dataKey: { id: 'dk_01', wrappedKey: 'd3JhcHBlZA==', masterKeyId: 'mk_01', wrappedAtMs: t0 },
    sealed: { dataKeyId: 'dk_01', nonce: 'bm9uY2U=', ciphertext: 'Y2lwaGVy' },
  },
  createdAtMs: t0,
  updatedAtMs: t0,
  ...over,
});

/** Registers the git repository tests; `store` returns the migrated, seeded store of the running test. */
export function describeGitRepositoryContract(store: () => Store): void {
  describe('git repositories', () => {
    it('stores a repository with its sealed credential and finds it by id and by project and name', async () => {
      await store().gitRepositories.insert(repository('repo_01'));
      expect(await store().gitRepositories.findById('repo_01')).toEqual(repository('repo_01'));
      expect(await store().gitRepositories.findByName(project.id, 'api')).toEqual(repository('repo_01'));
      expect(await store().gitRepositories.findByName(otherProject.id, 'api')).toBeUndefined();
      expect(await store().gitRepositories.findById('repo_missing')).toBeUndefined();
    });

    it('refuses a second repository of the same name in a project, not in another', async () => {
      await store().projects.insert(otherProject);
      await store().gitRepositories.insert(repository('repo_01'));
      await expect(store().gitRepositories.insert(repository('repo_02'))).rejects.toMatchObject({
        code: 'REPOSITORY_ALREADY_EXISTS',
      });
      await store().gitRepositories.insert(repository('repo_03', { projectId: otherProject.id }));
      expect((await store().gitRepositories.list()).map((r) => r.id)).toEqual(['repo_01', 'repo_03']);
    });

    it('lists a project’s repositories by name, a public one without credential', async () => {
      await store().gitRepositories.insert(repository('repo_01', { name: 'web' }));
      const open = repository('repo_02', {
        name: 'docs',
        url: 'https://github.com/acme/docs.git',
        authKind: 'none',
        publicKey: null,
        credential: null,
      });
      await store().gitRepositories.insert(open);
      expect((await store().gitRepositories.listByProject(project.id)).map((r) => r.name)).toEqual(['docs', 'web']);
      expect(await store().gitRepositories.findById('repo_02')).toEqual(open);
    });

    it('replaces url, credential and update time, keeping id, project, name and creation time', async () => {
      await store().gitRepositories.insert(repository('repo_01'));
      const credential = {
        dataKey: { id: 'dk_01', wrappedKey: 'cmV3cmFwcGVk', masterKeyId: 'mk_02', wrappedAtMs: t0 + 9 },
        sealed: { dataKeyId: 'dk_01', nonce: 'bm9uY2U=', ciphertext: 'Y2lwaGVy' },
      };
      await store().gitRepositories.update(
        repository('repo_01', {
          name: 'renamed',
          credential,
          url: 'ssh://git@github.com/acme/api.git',
          updatedAtMs: t0 + 9,
        }),
      );
      expect(await store().gitRepositories.findById('repo_01')).toEqual(
        repository('repo_01', { credential, url: 'ssh://git@github.com/acme/api.git', updatedAtMs: t0 + 9 }),
      );
    });

    it('removes a repository once: false the second time', async () => {
      await store().gitRepositories.insert(repository('repo_01'));
      expect(await store().gitRepositories.delete('repo_01')).toBe(true);
      expect(await store().gitRepositories.delete('repo_01')).toBe(false);
      expect(await store().gitRepositories.listByProject(project.id)).toEqual([]);
    });
  });
}
