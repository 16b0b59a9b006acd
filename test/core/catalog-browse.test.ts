import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createCatalogAuthority,
  deleteCatalogKv,
  getCatalogKv,
  listCatalogKv,
  putCatalogKv,
  type CatalogAclRule,
  type CatalogAuthority,
  type CatalogEngine,
} from '@slipway/core';
import {
  bytes,
  catalogStoreKinds,
  manualClock,
  openCatalog,
  type CatalogStoreUnderTest,
} from './catalog-engine-fixtures.js';

const [memoryStore] = catalogStoreKinds;

const authority = (rules: CatalogAclRule[], isAdmin = false): CatalogAuthority =>
  createCatalogAuthority({
    actor: 'alice',
    isAuthenticated: true,
    isAdmin,
    mayWrite: true,
    rules,
    anonymousRead: 'health',
  });

describe('the dashboard catalog browser and KV editor', () => {
  let underTest: CatalogStoreUnderTest;
  let catalog: CatalogEngine;

  beforeEach(async () => {
    underTest = await memoryStore![1]();
    catalog = await openCatalog(underTest.store, manualClock());
    for (const key of ['app/a', 'app/b/c', 'app/b/d', 'app/secret/s', 'other/x', 'top'])
      await catalog.kvPut({ key, value: bytes(key) });
  });

  afterEach(async () => {
    await catalog.close();
    await underTest.cleanup();
  });

  it('lists folders and keys directly under a prefix, each only when the rules let the caller read', () => {
    const alice = authority([
      { resource: 'key', prefix: 'app/', policy: 'write' },
      { resource: 'key', prefix: 'app/secret/', policy: 'deny' },
    ]);
    expect(listCatalogKv(catalog, alice, { prefix: '', limit: 100 })).toMatchObject({ folders: ['app/'], keys: [] });
    const app = listCatalogKv(catalog, alice, { prefix: 'app/', limit: 100 });
    expect([app.folders, app.keys.map((k) => k.key), app.canWrite]).toEqual([['app/b/'], ['app/a'], true]);
    const admin = authority([], true);
    const top = listCatalogKv(catalog, admin, { prefix: '', limit: 2 });
    expect([top.folders, top.keys.map((k) => k.key), top.nextAfter]).toEqual([['app/', 'other/'], [], 'other/']);
    expect(listCatalogKv(catalog, admin, { prefix: '', after: 'other/', limit: 2 }).keys.map((k) => k.key)).toEqual([
      'top',
    ]);
  });

  it('writes only on the index the edit began from, and says what the index is now', async () => {
    const alice = authority([{ resource: 'key', prefix: 'app/', policy: 'write' }]);
    const before = getCatalogKv(catalog, alice, 'app/a');
    await catalog.kvPut({ key: 'app/a', value: bytes('elsewhere') });
    const now = catalog.kvGet('app/a').value!.modifyIndex;
    await expect(
      putCatalogKv(catalog, alice, { key: 'app/a', value: 'mine', encoding: 'utf8', cas: before.modifyIndex }),
    ).rejects.toMatchObject({ code: 'KV_CAS_CONFLICT', details: { modifyIndex: now } });
    const saved = await putCatalogKv(catalog, alice, { key: 'app/a', value: 'mine', encoding: 'utf8', cas: now });
    expect(saved).toMatchObject({ value: 'mine', encoding: 'utf8', canWrite: true });
    await expect(deleteCatalogKv(catalog, alice, { key: 'app/a', cas: now })).rejects.toMatchObject({
      code: 'KV_CAS_CONFLICT',
    });
    await expect(
      putCatalogKv(catalog, alice, { key: 'other/x', value: 'no', encoding: 'utf8', cas: 0 }),
    ).rejects.toMatchObject({ code: 'CATALOG_PERMISSION_DENIED' });
    await deleteCatalogKv(catalog, alice, { key: 'app/a', cas: saved.modifyIndex });
    expect(() => getCatalogKv(catalog, alice, 'app/a')).toThrow(expect.objectContaining({ code: 'KV_KEY_NOT_FOUND' }));
  });
});
