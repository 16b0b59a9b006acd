import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCatalogSnapshot, encodeCatalogSnapshot } from '@slipway/contract';
import type { CatalogEngine, CatalogSnapshot } from '@slipway/core';
import {
  bytes,
  catalogStoreKinds,
  manualClock,
  openCatalog,
  serviceRegistration,
  text,
  type CatalogStoreUnderTest,
  type ManualClock,
} from './catalog-engine-fixtures.js';

describe.each(catalogStoreKinds)('catalog snapshots over the %s', (_name, openStore) => {
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

  it('restores a snapshot, the index going on past where it was, and wakes every waiter', async () => {
    await catalog.kvPut({ key: 'keep', value: bytes('old') });
    const session = await catalog.sessionCreate({});
    await catalog.kvPut({ key: 'locked', value: null, acquire: session.id });
    await catalog.registerService(serviceRegistration({ id: 'web-1', name: 'web' }));
    const saved = catalog.snapshot();
    expect(() => decodeCatalogSnapshot(encodeCatalogSnapshot(saved))).not.toThrow();

    await catalog.kvPut({ key: 'keep', value: bytes('new') });
    await catalog.kvPut({ key: 'later', value: bytes('x') });
    await catalog.deregisterService('web-1');
    const index = catalog.index();
    const waiter = catalog.waitFor({ kind: 'prefix', prefix: 'zzz/' }, index, new AbortController().signal);

    await catalog.restore(saved);
    await waiter;
    expect(catalog.index()).toBe(index + 1);
    expect(text(catalog.kvGet('keep').value?.value)).toBe('old');
    expect(catalog.kvGet('later').value).toBeUndefined();
    expect(catalog.kvGet('locked').value?.session).toBe(session.id);
    expect(catalog.service('web-1')?.name).toBe('web');
    expect(catalog.service('consul')?.port).toBe(8300);
    expect(catalog.check('serfHealth')?.status).toBe('passing');
    const next = await catalog.kvPut({ key: 'after', value: null });
    expect(next.index).toBe(index + 2);

    await catalog.close();
    await underTest.store.close();
    underTest.store = await underTest.reopen();
    catalog = await openCatalog(underTest.store, clock);
    expect(catalog.index()).toBe(index + 2);
    expect(text(catalog.kvGet('keep').value?.value)).toBe('old');
  });

  it('takes the snapshot index when it is ahead, under this node', async () => {
    const foreign: CatalogSnapshot = {
      ...catalog.snapshot(),
      index: 1000,
      node: { ...catalog.node, name: 'other-node' },
      kv: [
        {
          key: 'from',
          value: bytes('elsewhere'),
          flags: 0,
          createIndex: 900,
          modifyIndex: 900,
          lockIndex: 0,
          session: null,
        },
      ],
    };
    await catalog.restore(foreign);
    expect(catalog.index()).toBe(1000);
    expect(catalog.node.name).toBe('node-a');
    expect(catalog.kvGet('from').value?.modifyIndex).toBe(900);
  });

  it('reaps tombstones after their time, and keeps them until then', async () => {
    await catalog.kvPut({ key: 'gone', value: null });
    await catalog.kvDelete({ key: 'gone' });
    expect(catalog.snapshot().tombstones.map((t) => t.key)).toEqual(['gone']);
    clock.advance(14 * 60_000);
    await catalog.runDueTimers();
    expect(catalog.snapshot().tombstones).toHaveLength(1);
    clock.advance(2 * 60_000);
    await catalog.runDueTimers();
    expect(catalog.snapshot().tombstones).toHaveLength(0);
  });
});
