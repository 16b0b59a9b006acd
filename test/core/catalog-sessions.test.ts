import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consulStatusOf, type CatalogEngine } from '@slipway/core';
import {
  bytes,
  manualClock,
  openCatalog,
  serviceRegistration,
  text,
  type ManualClock,
  catalogStoreKinds,
  type CatalogStoreUnderTest,
} from './catalog-engine-fixtures.js';

describe.each(catalogStoreKinds)('catalog sessions and locks over the %s', (_name, openStore) => {
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

  it("creates a session with Consul's defaults", async () => {
    const session = await catalog.sessionCreate({ name: 'web-lock' });
    expect(session).toMatchObject({
      name: 'web-lock',
      node: 'node-a',
      lockDelayMs: 15_000,
      behavior: 'release',
      ttlMs: null,
      nodeChecks: ['serfHealth'],
      serviceChecks: [],
      createIndex: catalog.index(),
    });
    expect(catalog.sessionGet(session.id).value).toEqual(session);
    expect(catalog.sessionList().value.map((s) => s.id)).toEqual([session.id]);
    expect(catalog.sessionList('node-a').value).toHaveLength(1);
    expect(catalog.sessionList('other').value).toHaveLength(0);
  });

  it('refuses a TTL out of bounds, an unknown node, and a check that is missing or critical', async () => {
    const refusals = await Promise.all([
      catalog.sessionCreate({ ttlMs: 5000 }).catch((error: unknown) => error),
      catalog.sessionCreate({ node: 'elsewhere' }).catch((error: unknown) => error),
      catalog.sessionCreate({ nodeChecks: ['nope'] }).catch((error: unknown) => error),
    ]);
    expect(refusals.map((error) => [consulStatusOf(error), (error as Error).message])).toEqual([
      [400, "Invalid Session TTL '5s', must be between [10s=24h0m0s]"],
      [500, 'Missing node registration'],
      [500, "Missing check 'nope' registration"],
    ]);
    await catalog.setNodeMaintenance(true, '');
    const critical = await catalog.sessionCreate({ nodeChecks: ['_node_maintenance'] }).catch((e: unknown) => e);
    expect((critical as Error).message).toBe("Check '_node_maintenance' is in critical state");
    expect(catalog.sessionList().value).toHaveLength(0);
  });

  it('acquires a lock once per holder, counting new acquisitions in LockIndex', async () => {
    const first = await catalog.sessionCreate({});
    const second = await catalog.sessionCreate({});
    expect((await catalog.kvPut({ key: 'lock', value: bytes('a'), acquire: first.id })).value).toBe(true);
    expect(catalog.kvGet('lock').value).toMatchObject({ session: first.id, lockIndex: 1 });
    expect((await catalog.kvPut({ key: 'lock', value: bytes('b'), acquire: first.id })).value).toBe(true);
    expect(catalog.kvGet('lock').value).toMatchObject({ session: first.id, lockIndex: 1 });
    expect(text(catalog.kvGet('lock').value?.value)).toBe('b');
    expect((await catalog.kvPut({ key: 'lock', value: bytes('c'), acquire: second.id })).value).toBe(false);
    expect((await catalog.kvPut({ key: 'lock', value: bytes('c'), release: second.id })).value).toBe(false);
    expect((await catalog.kvPut({ key: 'lock', value: bytes('d'), release: first.id })).value).toBe(true);
    expect(catalog.kvGet('lock').value).toMatchObject({ session: null, lockIndex: 1 });
    expect((await catalog.kvPut({ key: 'lock', value: null, acquire: second.id })).value).toBe(true);
    expect(catalog.kvGet('lock').value).toMatchObject({ session: second.id, lockIndex: 2 });
  });

  it('keeps the session of a locked key through a plain put', async () => {
    const session = await catalog.sessionCreate({});
    await catalog.kvPut({ key: 'held', value: bytes('1'), acquire: session.id });
    await catalog.kvPut({ key: 'held', value: bytes('2') });
    expect(catalog.kvGet('held').value).toMatchObject({ session: session.id, lockIndex: 1 });
  });

  it('refuses an acquire with an unknown session', async () => {
    const error = await catalog.kvPut({ key: 'k', value: null, acquire: 'nope' }).catch((e: unknown) => e);
    expect([consulStatusOf(error), (error as Error).message]).toEqual([500, 'invalid session "nope"']);
    expect(catalog.kvGet('k').value).toBeUndefined();
  });

  it('releases its locks when destroyed, then holds them off during the lock-delay', async () => {
    const session = await catalog.sessionCreate({ lockDelayMs: 10_000 });
    const other = await catalog.sessionCreate({ lockDelayMs: 0 });
    await catalog.kvPut({ key: 'lead', value: bytes('me'), acquire: session.id });
    const acquiredAt = catalog.kvGet('lead').value?.modifyIndex as number;
    expect(await catalog.sessionDestroy(session.id)).toBe(true);
    expect(catalog.kvGet('lead').value).toMatchObject({ session: null, lockIndex: 1 });
    expect(catalog.kvGet('lead').value?.modifyIndex).toBeGreaterThan(acquiredAt);
    expect(text(catalog.kvGet('lead').value?.value)).toBe('me');
    expect(catalog.sessionGet(session.id).value).toBeUndefined();
    expect((await catalog.kvPut({ key: 'lead', value: null, acquire: other.id })).value).toBe(false);
    clock.advance(10_000);
    expect((await catalog.kvPut({ key: 'lead', value: null, acquire: other.id })).value).toBe(true);
    expect(await catalog.sessionDestroy(session.id)).toBe(false);
  });

  it('deletes its keys when its behavior is delete', async () => {
    const session = await catalog.sessionCreate({ behavior: 'delete', lockDelayMs: 0 });
    await catalog.kvPut({ key: 'ephemeral', value: bytes('x'), acquire: session.id });
    await catalog.sessionDestroy(session.id);
    expect(catalog.kvGet('ephemeral').value).toBeUndefined();
  });

  it('lapses after twice its TTL unless renewed', async () => {
    const session = await catalog.sessionCreate({ ttlMs: 10_000, lockDelayMs: 0 });
    await catalog.kvPut({ key: 'ttl-lock', value: null, acquire: session.id });
    clock.advance(15_000);
    await catalog.runDueTimers();
    const renewed = await catalog.sessionRenew(session.id);
    expect(renewed?.id).toBe(session.id);
    clock.advance(19_000);
    await catalog.runDueTimers();
    expect(catalog.sessionGet(session.id).value).toBeDefined();
    clock.advance(1_000);
    await catalog.runDueTimers();
    expect(catalog.sessionGet(session.id).value).toBeUndefined();
    expect(catalog.kvGet('ttl-lock').value?.session).toBeNull();
    expect(await catalog.sessionRenew(session.id)).toBeUndefined();
  });

  it('is invalidated when a check it names goes critical', async () => {
    await catalog.registerService(
      serviceRegistration({
        id: 'db',
        checks: [
          {
            checkId: 'service:db',
            name: "Service 'db' check",
            serviceId: 'db',
            notes: '',
            status: 'passing',
            definition: { type: 'ttl', ttlMs: 30_000 },
          },
        ],
      }),
    );
    const session = await catalog.sessionCreate({ serviceChecks: ['service:db'], lockDelayMs: 0 });
    await catalog.kvPut({ key: 'db/leader', value: null, acquire: session.id });
    await catalog.updateCheck('service:db', 'warning', 'slow');
    expect(catalog.sessionGet(session.id).value).toBeDefined();
    await catalog.updateCheck('service:db', 'critical', 'down');
    expect(catalog.sessionGet(session.id).value).toBeUndefined();
    expect(catalog.kvGet('db/leader').value?.session).toBeNull();
  });

  it('is invalidated when a check it names is deregistered', async () => {
    await catalog.registerCheck({
      checkId: 'disk',
      name: 'disk',
      serviceId: '',
      notes: '',
      status: 'passing',
      definition: { type: 'ttl', ttlMs: 60_000 },
    });
    const session = await catalog.sessionCreate({ nodeChecks: ['serfHealth', 'disk'] });
    expect(await catalog.deregisterCheck('disk')).toBe(true);
    expect(catalog.sessionGet(session.id).value).toBeUndefined();
  });

  it('keeps sessions across a restart, their TTL starting again', async () => {
    const session = await catalog.sessionCreate({ ttlMs: 10_000 });
    clock.advance(15_000);
    await catalog.close();
    await underTest.store.close();
    underTest.store = await underTest.reopen();
    catalog = await openCatalog(underTest.store, clock);
    expect(catalog.sessionGet(session.id).value?.id).toBe(session.id);
    clock.advance(15_000);
    await catalog.runDueTimers();
    expect(catalog.sessionGet(session.id).value).toBeDefined();
    clock.advance(5_000);
    await catalog.runDueTimers();
    expect(catalog.sessionGet(session.id).value).toBeUndefined();
  });
});
