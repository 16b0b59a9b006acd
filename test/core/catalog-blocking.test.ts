import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogEngine, WatchTopic } from '@slipway/core';
import { createMemoryCatalogStore, type MemoryCatalogStore } from '@slipway/testkit';
import { bytes, manualClock, openCatalog, serviceRegistration } from './catalog-engine-fixtures.js';

/** A blocking wait whose settling the test can look at without waiting on it. */
function watch(catalog: CatalogEngine, topic: WatchTopic, afterIndex: number) {
  const controller = new AbortController();
  const state = { isWoken: false };
  const done = catalog.waitFor(topic, afterIndex, controller.signal).then(() => {
    state.isWoken = true;
  });
  return { state, done, abort: () => controller.abort() };
}

/** Lets settled promises run their callbacks. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('catalog blocking waits', () => {
  let store: MemoryCatalogStore;
  let catalog: CatalogEngine;

  beforeEach(async () => {
    store = createMemoryCatalogStore();
    catalog = await openCatalog(store, manualClock());
  });

  afterEach(async () => {
    await catalog.close();
    await store.close();
  });

  it('wakes the waiters of a key and of its prefixes, and no other', async () => {
    await catalog.kvPut({ key: 'app/a', value: bytes('1') });
    const index = catalog.index();
    const onKey = watch(catalog, { kind: 'key', key: 'app/a' }, index);
    const onPrefix = watch(catalog, { kind: 'prefix', prefix: 'app/' }, index);
    const onAll = watch(catalog, { kind: 'prefix', prefix: '' }, index);
    const onOtherKey = watch(catalog, { kind: 'key', key: 'app/b' }, index);
    const onOtherPrefix = watch(catalog, { kind: 'prefix', prefix: 'other/' }, index);
    const onServices = watch(catalog, { kind: 'services' }, index);
    await settle();
    expect(catalog.waiterCount()).toBe(6);

    await catalog.kvPut({ key: 'app/a', value: bytes('2') });
    await Promise.all([onKey.done, onPrefix.done, onAll.done]);
    await settle();
    expect([onOtherKey.state.isWoken, onOtherPrefix.state.isWoken, onServices.state.isWoken]).toEqual([
      false,
      false,
      false,
    ]);
    expect(catalog.waiterCount()).toBe(3);
    for (const waiter of [onOtherKey, onOtherPrefix, onServices]) waiter.abort();
    await Promise.all([onOtherKey.done, onOtherPrefix.done, onServices.done]);
    expect(catalog.waiterCount()).toBe(0);
  });

  it('wakes no one for a write that changes nothing', async () => {
    await catalog.kvPut({ key: 'same', value: bytes('v') });
    const waiter = watch(catalog, { kind: 'key', key: 'same' }, catalog.index());
    await catalog.kvPut({ key: 'same', value: bytes('v') });
    await settle();
    expect(waiter.state.isWoken).toBe(false);
    waiter.abort();
    await waiter.done;
  });

  it('wakes a key watcher when the key is deleted', async () => {
    await catalog.kvPut({ key: 'doomed', value: bytes('v') });
    const waiter = watch(catalog, { kind: 'key', key: 'doomed' }, catalog.index());
    await catalog.kvDelete({ key: 'doomed' });
    await waiter.done;
    expect(catalog.kvGet('doomed').index).toBe(catalog.index());
  });

  it('answers at once when the topic has already passed the index, or the index is ahead of the catalog', async () => {
    const first = await catalog.kvPut({ key: 'k', value: bytes('1') });
    await catalog.kvPut({ key: 'k', value: bytes('2') });
    const signal = new AbortController().signal;
    await catalog.waitFor({ kind: 'key', key: 'k' }, first.index, signal);
    await catalog.waitFor({ kind: 'key', key: 'k' }, catalog.index() + 100, signal);
    expect(catalog.waiterCount()).toBe(0);
  });

  it('wakes the watchers of a service, of the service list and of the node on a registration, not of another service', async () => {
    const index = catalog.index();
    const onWeb = watch(catalog, { kind: 'service', name: 'web' }, index);
    const onServices = watch(catalog, { kind: 'services' }, index);
    const onNode = watch(catalog, { kind: 'node', name: 'node-a' }, index);
    const onApi = watch(catalog, { kind: 'service', name: 'api' }, index);
    const onKv = watch(catalog, { kind: 'prefix', prefix: '' }, index);
    await catalog.registerService(serviceRegistration({ id: 'web-1', name: 'Web' }));
    await Promise.all([onWeb.done, onServices.done, onNode.done]);
    await settle();
    expect([onApi.state.isWoken, onKv.state.isWoken]).toEqual([false, false]);
    onApi.abort();
    onKv.abort();
    await Promise.all([onApi.done, onKv.done]);
  });

  it('wakes every service watcher when a node-level check changes (node maintenance)', async () => {
    await catalog.registerService(serviceRegistration({ id: 'api-1', name: 'api' }));
    const index = catalog.index();
    const onApi = watch(catalog, { kind: 'service', name: 'api' }, index);
    const onChecks = watch(catalog, { kind: 'checks' }, index);
    await catalog.setNodeMaintenance(true, 'upgrade');
    await Promise.all([onApi.done, onChecks.done]);
    expect(catalog.serviceInstances('api').index).toBe(catalog.index());
  });

  it('wakes 5,000 watchers of one prefix with one write', async () => {
    const index = catalog.index();
    const waiters = Array.from({ length: 5000 }, () => watch(catalog, { kind: 'prefix', prefix: 'fan/' }, index));
    await settle();
    expect(catalog.waiterCount()).toBe(5000);
    await catalog.kvPut({ key: 'fan/out', value: bytes('go') });
    await Promise.all(waiters.map((waiter) => waiter.done));
    expect(catalog.waiterCount()).toBe(0);
  });

  it('waits on several topics at once, woken by any of them and counted once', async () => {
    const controller = new AbortController();
    const index = catalog.index();
    let isWoken = false;
    const done = catalog
      .waitFor(
        [
          { kind: 'service', name: 'web' },
          { kind: 'key', key: 'cfg' },
        ],
        index,
        controller.signal,
      )
      .then(() => (isWoken = true));
    await settle();
    expect(catalog.waiterCount()).toBe(1);
    await catalog.kvPut({ key: 'other', value: bytes('x') });
    await settle();
    expect(isWoken).toBe(false);
    await catalog.kvPut({ key: 'cfg', value: bytes('x') });
    await done;
    expect(catalog.waiterCount()).toBe(0);
    controller.abort();
  });

  it('wakes every waiter on close', async () => {
    const waiter = watch(catalog, { kind: 'sessions' }, catalog.index());
    await catalog.close();
    await waiter.done;
    expect(catalog.waiterCount()).toBe(0);
  });

  it('leaves memory and waiters untouched when the store refuses a commit', async () => {
    await catalog.kvPut({ key: 'k', value: bytes('1') });
    const index = catalog.index();
    const waiter = watch(catalog, { kind: 'key', key: 'k' }, index);
    store.isFailing = true;
    await expect(catalog.kvPut({ key: 'k', value: bytes('2') })).rejects.toThrow(/failing on purpose/);
    await settle();
    expect(waiter.state.isWoken).toBe(false);
    expect(catalog.index()).toBe(index);
    expect(new TextDecoder().decode(catalog.kvGet('k').value?.value ?? new Uint8Array())).toBe('1');
    store.isFailing = false;
    const next = await catalog.kvPut({ key: 'k', value: bytes('3') });
    expect(next.index).toBe(index + 1);
    await waiter.done;
  });
});
