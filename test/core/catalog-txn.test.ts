import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consulStatusOf, kvMaxValueBytes, txnMaxOperations, type CatalogEngine, type TxnKvOp } from '@slipway/core';
import {
  bytes,
  catalogStoreKinds,
  manualClock,
  openCatalog,
  text,
  type CatalogStoreUnderTest,
} from './catalog-engine-fixtures.js';

describe.each(catalogStoreKinds)('catalog transactions over the %s', (_name, openStore) => {
  let underTest: CatalogStoreUnderTest;
  let catalog: CatalogEngine;

  beforeEach(async () => {
    underTest = await openStore();
    catalog = await openCatalog(underTest.store, manualClock());
  });

  afterEach(async () => {
    await catalog.close();
    await underTest.store.close();
    await underTest.cleanup();
  });

  it('applies every operation at one index, each seeing the ones before it, with Consul result shapes', async () => {
    await catalog.kvPut({ key: 'cfg/old', value: bytes('x') });
    const result = await catalog.txn([
      { verb: 'set', key: 'cfg/a', value: bytes('1'), flags: 7 },
      { verb: 'cas', key: 'cfg/b', value: bytes('2'), index: 0 },
      { verb: 'get', key: 'cfg/a' },
      { verb: 'check-not-exists', key: 'cfg/c' },
      { verb: 'delete', key: 'cfg/old' },
      { verb: 'get-tree', key: 'cfg/' },
    ]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.index).toBe(catalog.index());
    expect(result.results.map((entry) => [entry.key, text(entry.value)])).toEqual([
      ['cfg/a', null],
      ['cfg/b', null],
      ['cfg/a', '1'],
      ['cfg/a', '1'],
      ['cfg/b', '2'],
    ]);
    expect(result.results[0]).toMatchObject({ flags: 7, createIndex: result.index, modifyIndex: result.index });
    expect(catalog.kvGet('cfg/old').value).toBeUndefined();
    expect(catalog.kvGet('cfg/old').index).toBe(result.index);
  });

  it('writes nothing and reports every failing operation with its position and Consul words', async () => {
    await catalog.kvPut({ key: 'present', value: bytes('p') });
    const before = catalog.snapshot();
    const modifyIndex = catalog.kvGet('present').value?.modifyIndex as number;
    const result = await catalog.txn([
      { verb: 'set', key: 'new', value: bytes('n') },
      { verb: 'cas', key: 'present', value: bytes('q'), index: modifyIndex + 1 },
      { verb: 'get', key: 'missing' },
      { verb: 'check-index', key: 'present', index: 999 },
      { verb: 'check-not-exists', key: 'present' },
      { verb: 'delete-cas', key: 'present', index: 1 },
      { verb: 'check-session', key: 'present', session: 'abc' },
    ]);
    expect(result).toEqual({
      ok: false,
      errors: [
        { opIndex: 1, what: 'failed to set key "present", index is stale' },
        { opIndex: 2, what: 'key "missing" doesn\'t exist' },
        { opIndex: 3, what: `current modify index ${modifyIndex} != 999` },
        { opIndex: 4, what: 'key "present" exists' },
        { opIndex: 5, what: 'failed to delete key "present", index is stale' },
        { opIndex: 6, what: 'current session "" != "abc"' },
      ],
    });
    expect(catalog.snapshot()).toEqual(before);
  });

  it('answers a read-only transaction at the current index without a write', async () => {
    await catalog.kvPut({ key: 'r', value: bytes('1') });
    const index = catalog.index();
    const result = await catalog.txn([{ verb: 'get', key: 'r' }]);
    expect(result).toMatchObject({ ok: true, index });
    expect(catalog.index()).toBe(index);
  });

  it('takes and releases a lock inside a transaction', async () => {
    const session = await catalog.sessionCreate({});
    const locked = await catalog.txn([{ verb: 'lock', key: 'leader', value: bytes('me'), session: session.id }]);
    expect(locked.ok && locked.results[0]).toMatchObject({ key: 'leader', session: session.id, lockIndex: 1 });
    const other = await catalog.sessionCreate({});
    const refused = await catalog.txn([{ verb: 'lock', key: 'leader', value: null, session: other.id }]);
    expect(refused).toEqual({
      ok: false,
      errors: [{ opIndex: 0, what: 'failed to lock key "leader", lock is already held' }],
    });
    const unlocked = await catalog.txn([{ verb: 'unlock', key: 'leader', value: null, session: session.id }]);
    expect(unlocked.ok && unlocked.results[0]).toMatchObject({ session: null, lockIndex: 1 });
    const wrong = await catalog.txn([{ verb: 'unlock', key: 'leader', value: null, session: session.id }]);
    expect(wrong.ok).toBe(false);
  });

  it('refuses a transaction over its operation limit or with a value over 512 KiB before running it', async () => {
    const index = catalog.index();
    const many: TxnKvOp[] = Array.from({ length: txnMaxOperations + 1 }, (_, i) => ({
      verb: 'set',
      key: `k${i}`,
      value: null,
    }));
    const tooMany = await catalog.txn(many).catch((error: unknown) => error);
    expect(consulStatusOf(tooMany)).toBe(413);
    expect((tooMany as Error).message).toBe('Transaction contains too many operations (65 > 64)');
    const big = await catalog
      .txn([{ verb: 'set', key: 'big', value: new Uint8Array(kvMaxValueBytes + 1) }])
      .catch((error: unknown) => error);
    expect(consulStatusOf(big)).toBe(413);
    expect(catalog.index()).toBe(index);
    expect(catalog.kvGet('k0').value).toBeUndefined();
  });
});
