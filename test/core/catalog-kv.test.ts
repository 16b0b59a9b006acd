import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consulStatusOf, kvMaxValueBytes, type CatalogEngine } from '@slipway/core';
import {
  bytes,
  catalogStoreKinds,
  manualClock,
  openCatalog,
  text,
  type CatalogStoreUnderTest,
  type ManualClock,
} from './catalog-engine-fixtures.js';

describe.each(catalogStoreKinds)('catalog KV over the %s', (_name, openStore) => {
  let underTest: CatalogStoreUnderTest;
  let clock: ManualClock;
  let catalog: CatalogEngine;

  beforeEach(async () => {
    underTest = await openStore();
    clock = manualClock();
    catalog = await openCatalog(underTest.store, clock);
  });

  afterEach(async () => {
    await catalog.close();
    await underTest.store.close();
    await underTest.cleanup();
  });

  it('creates a key with CreateIndex = ModifyIndex and keeps CreateIndex on update', async () => {
    const created = await catalog.kvPut({ key: 'app/db', value: bytes('one'), flags: 42 });
    expect(created.value).toBe(true);
    const first = catalog.kvGet('app/db');
    expect(first.value).toMatchObject({ key: 'app/db', flags: 42, lockIndex: 0, session: null });
    expect(first.value?.createIndex).toBe(created.index);
    expect(first.value?.modifyIndex).toBe(created.index);
    expect(first.index).toBe(created.index);

    const updated = await catalog.kvPut({ key: 'app/db', value: bytes('two') });
    expect(updated.index).toBe(created.index + 1);
    expect(catalog.kvGet('app/db').value).toMatchObject({
      createIndex: created.index,
      modifyIndex: updated.index,
      flags: 0,
    });
    expect(text(catalog.kvGet('app/db').value?.value)).toBe('two');
  });

  it('keeps an empty value as null', async () => {
    await catalog.kvPut({ key: 'empty', value: new Uint8Array(0) });
    expect(catalog.kvGet('empty').value?.value).toBeNull();
  });

  it('raises no index for a write that changes nothing', async () => {
    const first = await catalog.kvPut({ key: 'k', value: bytes('v') });
    const again = await catalog.kvPut({ key: 'k', value: bytes('v') });
    expect(again).toEqual({ value: true, index: first.index });
    expect(catalog.index()).toBe(first.index);
  });

  it('answers CAS puts as Consul does: 0 only when absent, N only at ModifyIndex N', async () => {
    expect((await catalog.kvPut({ key: 'c', value: bytes('1'), cas: 0 })).value).toBe(true);
    expect((await catalog.kvPut({ key: 'c', value: bytes('2'), cas: 0 })).value).toBe(false);
    const modifyIndex = catalog.kvGet('c').value?.modifyIndex as number;
    expect((await catalog.kvPut({ key: 'c', value: bytes('3'), cas: modifyIndex + 5 })).value).toBe(false);
    expect((await catalog.kvPut({ key: 'missing', value: bytes('3'), cas: 7 })).value).toBe(false);
    expect((await catalog.kvPut({ key: 'c', value: bytes('4'), cas: modifyIndex })).value).toBe(true);
    expect(text(catalog.kvGet('c').value?.value)).toBe('4');
    expect(catalog.kvGet('missing').value).toBeUndefined();
  });

  it('answers CAS deletes as Consul does: a missing key is true, 0 never deletes an existing key', async () => {
    await catalog.kvPut({ key: 'd', value: bytes('1') });
    const modifyIndex = catalog.kvGet('d').value?.modifyIndex as number;
    expect((await catalog.kvDelete({ key: 'nope', cas: 3 })).value).toBe(true);
    expect((await catalog.kvDelete({ key: 'd', cas: 0 })).value).toBe(false);
    expect((await catalog.kvDelete({ key: 'd', cas: modifyIndex + 1 })).value).toBe(false);
    expect(catalog.kvGet('d').value).toBeDefined();
    expect((await catalog.kvDelete({ key: 'd', cas: modifyIndex })).value).toBe(true);
    expect(catalog.kvGet('d').value).toBeUndefined();
  });

  it('raises the index a watcher of a deleted key or its prefix sees (tombstones)', async () => {
    await catalog.kvPut({ key: 'a/x/1', value: bytes('1') });
    const put = await catalog.kvPut({ key: 'b', value: bytes('2') });
    const deleted = await catalog.kvDelete({ key: 'a/x/1' });
    expect(deleted.index).toBe(put.index + 1);
    expect(catalog.kvGet('a/x/1')).toEqual({ value: undefined, index: deleted.index });
    expect(catalog.kvList('a/')).toEqual({ value: [], index: deleted.index });
    expect(catalog.kvList('b').index).toBe(put.index);
  });

  it('deletes a whole prefix, or everything with an empty one', async () => {
    for (const key of ['a/1', 'a/2', 'ab', 'b/1']) await catalog.kvPut({ key, value: bytes(key) });
    await catalog.kvDelete({ key: 'a/', isRecursive: true });
    expect(catalog.kvKeys('').value).toEqual(['ab', 'b/1']);
    await catalog.kvDelete({ key: '', isRecursive: true });
    expect(catalog.kvKeys('').value).toEqual([]);
  });

  it('lists entries and keys in key order, cutting keys after the separator', async () => {
    for (const key of ['a/x/2', 'a/y', 'a/x/1', 'a/x-z', 'b']) await catalog.kvPut({ key, value: bytes(key) });
    expect(catalog.kvList('a/').value.map((entry) => entry.key)).toEqual(['a/x-z', 'a/x/1', 'a/x/2', 'a/y']);
    expect(catalog.kvKeys('a/').value).toEqual(['a/x-z', 'a/x/1', 'a/x/2', 'a/y']);
    expect(catalog.kvKeys('a/', '/').value).toEqual(['a/x-z', 'a/x/', 'a/y']);
    expect(catalog.kvKeys('', '/').value).toEqual(['a/', 'b']);
  });

  it('refuses an empty key and a value over 512 KiB, writing nothing', async () => {
    const before = catalog.index();
    const empty = await catalog.kvPut({ key: '', value: bytes('v') }).catch((error: unknown) => error);
    expect(consulStatusOf(empty)).toBe(400);
    const big = await catalog
      .kvPut({ key: 'big', value: new Uint8Array(kvMaxValueBytes + 1) })
      .catch((e: unknown) => e);
    expect(consulStatusOf(big)).toBe(413);
    expect((await catalog.kvPut({ key: 'max', value: new Uint8Array(kvMaxValueBytes) })).value).toBe(true);
    expect(catalog.kvGet('big').value).toBeUndefined();
    expect(catalog.index()).toBe(before + 1);
  });

  it('keeps every byte of a value', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    await catalog.kvPut({ key: 'bin', value: all });
    expect([...(catalog.kvGet('bin').value?.value ?? [])]).toEqual([...all]);
  });

  it('groups concurrent writes into fewer commits, each acknowledged with its own index', async () => {
    const before = catalog.commitStats();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => catalog.kvPut({ key: `load/${i}`, value: bytes(String(i)) })),
    );
    const indexes = answers.map((answer) => answer.index);
    expect(new Set(indexes).size).toBe(50);
    const after = catalog.commitStats();
    expect(after.writes - before.writes).toBe(50);
    expect(after.commits - before.commits).toBeLessThan(50);
    expect(catalog.kvList('load/').value).toHaveLength(50);
  });

  it('keeps KV, its indexes and the tombstones across a restart, and the index never goes back', async () => {
    await catalog.kvPut({ key: 'keep', value: bytes('me'), flags: 3 });
    const deleted = await catalog.kvDelete({ key: 'keep-not' });
    await catalog.kvPut({ key: 'gone', value: bytes('x') });
    const gone = await catalog.kvDelete({ key: 'gone' });
    expect(deleted.index).toBeLessThan(gone.index);
    const entry = catalog.kvGet('keep').value;
    const index = catalog.index();
    await catalog.close();
    await underTest.store.close();
    underTest.store = await underTest.reopen();
    catalog = await openCatalog(underTest.store, clock);
    expect(catalog.kvGet('keep').value).toEqual(entry);
    expect(catalog.kvGet('gone').index).toBe(gone.index);
    expect(catalog.index()).toBeGreaterThanOrEqual(index);
    const next = await catalog.kvPut({ key: 'after', value: bytes('restart') });
    expect(next.index).toBeGreaterThan(index);
  });
});
