/** Store contract: previews and their apps' preview settings (migration `0018-previews`). */
import { describe, expect, it } from 'vitest';
import type { PreviewRecord, PreviewSettingsRecord, Store } from '@slipway/core';
import { api, t0, web } from './store-contract-fixtures.js';

const settings = (over: Partial<PreviewSettingsRecord> = {}): PreviewSettingsRecord => ({
  appId: web.id,
  repositoryId: 'repo_01',
  maxPreviews: 3,
  idleTtlMs: 7 * 86_400_000,
  provider: {
    kind: 'github',
    apiBaseUrl: 'https://api.github.com',
    repositoryPath: 'acme/web',
    sealedToken: { dataKeyId: 'dk_01', nonce: 'bm9uY2U=', ciphertext: 'Y2lwaGVy' },
  },
  createdAtMs: t0,
  updatedAtMs: t0,
  ...over,
});

const preview = (id: string, number: number, over: Partial<PreviewRecord> = {}): PreviewRecord => ({
  id,
  appId: web.id,
  repositoryId: 'repo_01',
  number,
  title: `Change ${number}`,
  headRef: 'feature/login',
  headSha: '0123456789abcdef0123456789abcdef01234567',
  isFork: false,
  headCloneUrl: null,
  state: 'deploying',
  environmentId: null,
  deploymentId: null,
  approvedBy: null,
  approvedSha: null,
  providerRefs: {},
  lastEventAtMs: t0,
  createdAtMs: t0,
  updatedAtMs: t0,
  ...over,
});

export function describePreviewContract(store: () => Store): void {
  describe('previews', () => {
    it('puts, replaces, finds, lists by repository and deletes preview settings', async () => {
      await store().previewSettings.put(settings());
      await store().previewSettings.put(settings({ appId: api.id, provider: null }));
      expect(await store().previewSettings.find(web.id)).toEqual(settings());
      const replaced = settings({ maxPreviews: 5, updatedAtMs: t0 + 9 });
      await store().previewSettings.put(replaced);
      expect(await store().previewSettings.find(web.id)).toEqual(replaced);
      expect((await store().previewSettings.listByRepository('repo_01')).map((s) => s.appId)).toEqual(
        [web.id, api.id].sort(),
      );
      expect(await store().previewSettings.listByRepository('repo_02')).toEqual([]);
      await store().previewSettings.delete(web.id);
      await store().previewSettings.delete(web.id);
      expect(await store().previewSettings.find(web.id)).toBeUndefined();
    });

    it('round-trips previews, lists them by app and number, updates and deletes them', async () => {
      const fork = preview('prv_02', 12, {
        isFork: true,
        headCloneUrl: 'https://git.example/someone/web.git',
        state: 'waiting-approval',
        providerRefs: { comment: '77' },
      });
      await store().previews.insert(fork);
      await store().previews.insert(preview('prv_01', 3));
      await store().previews.insert(preview('prv_03', 1, { appId: api.id }));
      expect(await store().previews.find(web.id, 12)).toEqual(fork);
      expect(await store().previews.find(web.id, 99)).toBeUndefined();
      expect((await store().previews.list(web.id)).map((p) => p.number)).toEqual([3, 12]);
      expect(await store().previews.list()).toHaveLength(3);
      const approved = { ...fork, approvedBy: 'alice', approvedSha: fork.headSha, environmentId: 'env_09' };
      await store().previews.update(approved);
      expect(await store().previews.find(web.id, 12)).toEqual(approved);
      await store().previews.delete('prv_02');
      await store().previews.delete('prv_02');
      expect((await store().previews.list(web.id)).map((p) => p.number)).toEqual([3]);
    });

    it('refuses a second preview of the same pull request for one app', async () => {
      await store().previews.insert(preview('prv_01', 3));
      await expect(store().previews.insert(preview('prv_02', 3))).rejects.toThrow();
      await store().previews.insert(preview('prv_03', 3, { appId: api.id }));
    });
  });
}
