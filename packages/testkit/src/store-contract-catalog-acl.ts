/** Store contract, catalog ACL part: rules per subject, resource kind and prefix; a put replaces the policy in place. */
import { describe, expect, it } from 'vitest';
import type { CatalogAclRuleRecord, Store } from '@slipway/core';
import { t0 } from './store-contract-fixtures.js';

const rule = (
  id: string,
  subject: CatalogAclRuleRecord['subject'],
  resource: CatalogAclRuleRecord['resource'],
  prefix: string,
  policy: CatalogAclRuleRecord['policy'],
  atMs = t0,
): CatalogAclRuleRecord => ({ id, subject, resource, prefix, policy, createdAtMs: atMs, updatedAtMs: atMs });

const alice = { kind: 'user', id: 'usr_alice' } as const;
const bob = { kind: 'user', id: 'usr_bob' } as const;
const ciToken = { kind: 'token', id: 'tok_ci' } as const;

/** Registers the catalog ACL tests; `store` returns the migrated, seeded store of the running test. */
export function describeCatalogAclContract(store: () => Store): void {
  describe('catalog ACL rules', () => {
    it('stores a rule and finds it by id; an unknown id finds nothing', async () => {
      const stored = await store().catalogAclRules.put(rule('cacl_01', alice, 'key', 'app/', 'write'));
      expect(stored).toEqual(rule('cacl_01', alice, 'key', 'app/', 'write'));
      expect(await store().catalogAclRules.findById('cacl_01')).toEqual(stored);
      expect(await store().catalogAclRules.findById('cacl_missing')).toBeUndefined();
    });

    it('replaces the policy of the same subject, resource and prefix, keeping its id and creation time', async () => {
      await store().catalogAclRules.put(rule('cacl_01', alice, 'key', 'app/', 'read'));
      const replaced = await store().catalogAclRules.put(rule('cacl_02', alice, 'key', 'app/', 'deny', t0 + 5));
      expect(replaced).toEqual({ ...rule('cacl_01', alice, 'key', 'app/', 'deny'), updatedAtMs: t0 + 5 });
      expect(await store().catalogAclRules.list()).toEqual([replaced]);
      expect(await store().catalogAclRules.findById('cacl_02')).toBeUndefined();
    });

    it('keeps rules apart by subject, resource kind and prefix (the empty prefix included)', async () => {
      await store().catalogAclRules.put(rule('cacl_01', alice, 'key', '', 'read'));
      await store().catalogAclRules.put(rule('cacl_02', alice, 'service', '', 'read'));
      await store().catalogAclRules.put(rule('cacl_03', bob, 'key', '', 'write'));
      await store().catalogAclRules.put(rule('cacl_04', ciToken, 'key', '', 'deny'));
      await store().catalogAclRules.put(rule('cacl_05', alice, 'key', 'a', 'write'));
      expect((await store().catalogAclRules.list()).map((r) => r.id)).toEqual([
        'cacl_04',
        'cacl_01',
        'cacl_05',
        'cacl_02',
        'cacl_03',
      ]);
    });

    it('lists the rules of the given subjects only, and none for no subject', async () => {
      await store().catalogAclRules.put(rule('cacl_01', alice, 'key', 'a/', 'read'));
      await store().catalogAclRules.put(rule('cacl_02', bob, 'key', 'b/', 'read'));
      await store().catalogAclRules.put(rule('cacl_03', ciToken, 'service', 'web', 'write'));
      await store().catalogAclRules.put(rule('cacl_04', { kind: 'token', id: 'usr_alice' }, 'key', 'c/', 'write'));
      const ids = async (subjects: Parameters<Store['catalogAclRules']['listForSubjects']>[0]) =>
        (await store().catalogAclRules.listForSubjects(subjects)).map((r) => r.id);
      expect(await ids([alice, ciToken])).toEqual(['cacl_03', 'cacl_01']);
      expect(await ids([bob])).toEqual(['cacl_02']);
      expect(await ids([{ kind: 'token', id: 'usr_alice' }])).toEqual(['cacl_04']);
      expect(await ids([])).toEqual([]);
    });

    it('deletes a rule once: false the second time', async () => {
      await store().catalogAclRules.put(rule('cacl_01', alice, 'key', 'a/', 'read'));
      expect(await store().catalogAclRules.delete('cacl_01')).toBe(true);
      expect(await store().catalogAclRules.delete('cacl_01')).toBe(false);
      expect(await store().catalogAclRules.list()).toEqual([]);
    });

    it('rolls a rule back with the transaction that wrote it', async () => {
      await expect(
        store().transaction(async (tx) => {
          await tx.catalogAclRules.put(rule('cacl_01', alice, 'key', 'a/', 'read'));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store().catalogAclRules.list()).toEqual([]);
    });
  });
}
