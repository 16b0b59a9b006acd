/**
 * The CatalogStore contract: what every place the catalog persists to must do, run by the SQLite store and the
 * memory fake alike (`describeCatalogStore('sqlite', () => createSqliteCatalogStore({ file }))`), so the engine's
 * unit tests over the fake say what holds over SQLite. What only a file can show (reopening, fsync, a kill) stays
 * with the file-backed store's own tests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogSnapshot, CatalogStore, KvEntry } from '@slipway/core';
import { agentService, catalogNode, checks, kvEntry, lockSession, webService } from './catalog-store-fixtures.js';

export * from './catalog-store-fixtures.js';

const byKey = <T extends { key: string }>(rows: readonly T[]): T[] =>
  [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const byId = <T>(rows: readonly T[], id: (row: T) => string): T[] =>
  [...rows].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));

/** A snapshot with its lists in one order, so two loads compare whatever order a store lists rows in. */
export function sortedCatalogSnapshot(snapshot: CatalogSnapshot | undefined): CatalogSnapshot | undefined {
  if (snapshot === undefined) return undefined;
  return {
    ...snapshot,
    kv: byKey(snapshot.kv),
    tombstones: byKey(snapshot.tombstones),
    sessions: byId(snapshot.sessions, (s) => s.id),
    services: byId(snapshot.services, (s) => s.id),
    checks: byId(snapshot.checks, (c) => c.checkId),
  };
}

/** Every byte value, so a store that treats values as text (or stops at a NUL) is caught. */
const allBytes = Uint8Array.from({ length: 256 }, (_, index) => index);

/** Registers the contract; `open` returns a new, empty store for each test (closed by the suite). */
export function describeCatalogStore(name: string, open: () => CatalogStore | Promise<CatalogStore>): void {
  describe(`CatalogStore contract: ${name}`, () => {
    let store: CatalogStore;
    let isClosed = false;
    const loaded = async () => sortedCatalogSnapshot(await store.load());
    const first = { index: 1, node: catalogNode };

    beforeEach(async () => {
      store = await open();
      isClosed = false;
    });
    afterEach(async () => {
      if (!isClosed) await store.close();
    });

    it('loads nothing from a new store', async () => {
      expect(await store.load()).toBeUndefined();
    });

    it('refuses a first commit without the node, and writes nothing', async () => {
      await expect(store.commit({ index: 1, kvPut: [kvEntry('a', 'x', 1)] })).rejects.toThrow(/node/);
      expect(await store.load()).toBeUndefined();
    });

    it('loads what was committed: the index, the node and every kind of record', async () => {
      await store.commit(first);
      await store.commit({ index: 2, kvPut: [kvEntry('config/db/url', 'postgres://db', 2)] });
      await store.commit({ index: 3, sessionPut: [lockSession] });
      const locked: KvEntry = { ...kvEntry('locks/leader', 'me', 4), lockIndex: 1, session: lockSession.id, flags: 42 };
      await store.commit({ index: 4, kvPut: [locked], servicePut: [webService] });
      await store.commit({ index: 6, servicePut: [{ ...webService, modifyIndex: 5 }, agentService], checkPut: checks });
      expect(await loaded()).toEqual(
        sortedCatalogSnapshot({
          index: 6,
          node: catalogNode,
          kv: [kvEntry('config/db/url', 'postgres://db', 2), locked],
          tombstones: [],
          sessions: [lockSession],
          services: [{ ...webService, modifyIndex: 5 }, agentService],
          checks,
        }),
      );
    });

    it('keeps values byte for byte: every byte, an empty value, a null value and 512 KiB', async () => {
      const large = Uint8Array.from({ length: 512 * 1024 }, (_, index) => (index * 7) % 251);
      const entries = [
        kvEntry('bytes', allBytes, 2),
        kvEntry('empty', new Uint8Array(0), 2),
        kvEntry('null', null, 2),
        kvEntry('ключ/with spaces/%2F/ünïcode', 'v', 2),
      ];
      await store.commit({ ...first, index: 2, kvPut: [...entries, kvEntry('large', large, 2)] });
      const kv = (await loaded())?.kv ?? [];
      // The large value is compared as bytes: a deep equality over half a million elements takes seconds.
      const largeValue = kv.find((entry) => entry.key === 'large')?.value;
      expect(largeValue).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(Buffer.from(largeValue ?? []), Buffer.from(large))).toBe(0);
      expect(kv.filter((entry) => entry.key !== 'large')).toEqual(byKey(entries));
      expect(kv.find((entry) => entry.key === 'empty')?.value).toEqual(new Uint8Array(0));
      expect(kv.find((entry) => entry.key === 'null')?.value).toBeNull();
    });

    it('replaces a record put again under its key or id, and removes what a change deletes', async () => {
      await store.commit({
        ...first,
        kvPut: [kvEntry('a', '1', 1), kvEntry('b', '1', 1)],
        sessionPut: [lockSession],
        servicePut: [webService, agentService],
        checkPut: checks,
      });
      await store.commit({
        index: 2,
        kvPut: [{ ...kvEntry('a', '2', 2), createIndex: 1, flags: 7 }],
        kvDelete: ['b'],
        tombstonePut: [{ key: 'b', modifyIndex: 2, deletedAtMs: 1_000 }],
        sessionDelete: [lockSession.id],
        servicePut: [{ ...webService, port: 5000, modifyIndex: 2 }],
        serviceDelete: [agentService.id],
        checkPut: [{ ...checks[0]!, status: 'passing', output: 'alive', modifyIndex: 2 }],
        checkDelete: checks.slice(1).map((c) => c.checkId),
      });
      await store.commit({ index: 3, kvPut: [kvEntry('c', '3', 3)], tombstoneDelete: ['b'] });
      expect(await loaded()).toEqual({
        index: 3,
        node: catalogNode,
        kv: [{ ...kvEntry('a', '2', 2), createIndex: 1, flags: 7 }, kvEntry('c', '3', 3)],
        tombstones: [],
        sessions: [],
        services: [{ ...webService, port: 5000, modifyIndex: 2 }],
        checks: [{ ...checks[0]!, status: 'passing', output: 'alive', modifyIndex: 2 }],
      });
    });

    it('keeps tombstones until a change deletes them', async () => {
      await store.commit({ ...first, tombstonePut: [{ key: 'gone', modifyIndex: 1, deletedAtMs: 5 }] });
      await store.commit({ index: 2, tombstonePut: [{ key: 'gone/too', modifyIndex: 2, deletedAtMs: 6 }] });
      expect((await loaded())?.tombstones).toEqual([
        { key: 'gone', modifyIndex: 1, deletedAtMs: 5 },
        { key: 'gone/too', modifyIndex: 2, deletedAtMs: 6 },
      ]);
    });

    it('updates the node when a change carries it, and keeps it when one does not', async () => {
      await store.commit(first);
      const moved = { ...catalogNode, address: '10.0.0.5', meta: { rack: 'b' }, modifyIndex: 2 };
      await store.commit({ index: 2, node: moved });
      await store.commit({ index: 3, kvPut: [kvEntry('k', 'v', 3)] });
      expect((await loaded())?.node).toEqual(moved);
    });

    it('writes a thousand entries of one change at once', async () => {
      const entries = Array.from({ length: 1000 }, (_, i) => kvEntry(`bulk/${String(i).padStart(4, '0')}`, `v${i}`, 2));
      await store.commit(first);
      await store.commit({ index: 2, kvPut: entries });
      expect((await loaded())?.kv).toEqual(entries);
    });

    it('applies commits in the order they were called, even when they were not awaited one by one', async () => {
      await store.commit(first);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.commit({ index: i + 2, kvPut: [kvEntry('k', `v${i + 2}`, i + 2)] })),
      );
      const snapshot = await loaded();
      expect(snapshot?.index).toBe(21);
      expect(snapshot?.kv).toEqual([kvEntry('k', 'v21', 21)]);
    });

    it('refuses a commit below the last committed index, and writes nothing of it', async () => {
      await store.commit({ ...first, index: 5, kvPut: [kvEntry('a', '1', 5)] });
      await expect(store.commit({ index: 4, kvPut: [kvEntry('b', '1', 4)], kvDelete: ['a'] })).rejects.toThrow(/index/);
      const unchanged = { index: 5, node: catalogNode, kv: [kvEntry('a', '1', 5)] };
      expect(await loaded()).toEqual({ ...unchanged, tombstones: [], sessions: [], services: [], checks: [] });
      await store.commit({ index: 5, kvPut: [kvEntry('c', '1', 5)] });
      expect((await loaded())?.index).toBe(5);
    });

    it('replaces everything with a snapshot, and refuses one whose index is below the current one', async () => {
      await store.commit({ ...first, kvPut: [kvEntry('old', '1', 1)], servicePut: [agentService], checkPut: checks });
      await store.commit({ index: 9, tombstonePut: [{ key: 'x', modifyIndex: 9, deletedAtMs: 1 }] });
      const snapshot: CatalogSnapshot = {
        index: 12,
        node: { ...catalogNode, modifyIndex: 12 },
        kv: [kvEntry('new', 'restored', 11)],
        tombstones: [],
        sessions: [lockSession],
        services: [webService],
        checks: [checks[checks.length - 1]!],
      };
      await store.replace(snapshot);
      expect(await loaded()).toEqual(sortedCatalogSnapshot(snapshot));

      await expect(store.replace({ ...snapshot, index: 11, kv: [] })).rejects.toThrow(/index/);
      expect(await loaded()).toEqual(sortedCatalogSnapshot(snapshot));
      await expect(store.commit({ index: 10 })).rejects.toThrow(/index/);
    });

    it('restores into a new store', async () => {
      const snapshot: CatalogSnapshot = {
        index: 40,
        node: catalogNode,
        kv: [kvEntry('a', 'b', 40)],
        tombstones: [{ key: 'c', modifyIndex: 39, deletedAtMs: 1 }],
        sessions: [],
        services: [],
        checks: [],
      };
      await store.replace(snapshot);
      expect(await loaded()).toEqual(snapshot);
    });

    it('keeps its own copies: changing what was committed or loaded changes nothing stored', async () => {
      const entry = kvEntry('k', 'value', 1);
      const service = structuredClone(webService);
      await store.commit({ ...first, kvPut: [entry], servicePut: [service] });
      entry.value?.fill(0);
      entry.flags = 99;
      service.tags.push('mutated');
      service.meta.app = 'mutated';
      const once = await store.load();
      once?.kv[0]?.value?.fill(1);
      once?.services[0]?.tags.push('mutated');
      if (once !== undefined) once.node.meta.rack = 'mutated';
      expect(await loaded()).toEqual({
        index: 1,
        node: catalogNode,
        kv: [kvEntry('k', 'value', 1)],
        tombstones: [],
        sessions: [],
        services: [webService],
        checks: [],
      });
    });

    it('closes once and for all: a second close resolves, and commits and loads after it reject', async () => {
      await store.commit(first);
      await store.close();
      isClosed = true;
      await store.close();
      await expect(store.commit({ index: 2 })).rejects.toThrow();
      await expect(store.load()).rejects.toThrow();
    });
  });
}
