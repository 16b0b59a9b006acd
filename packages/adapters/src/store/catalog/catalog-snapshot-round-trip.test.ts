/**
 * The catalog's whole persistence path end to end: an engine over the SQLite store, its snapshot written as the
 * snapshot file and read back, restored into another engine over another SQLite store, and that store reopened (a
 * restart): every record survives, the file decodes without an issue, and no index goes back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCatalogSnapshot, encodeCatalogSnapshot } from '@slipway/contract';
import { createCatalog, type CatalogEngine, type CatalogStore } from '@slipway/core';
import { silentLogger, sortedCatalogSnapshot } from '@slipway/testkit';
import { createSystemClock } from '../../system/system-clock.js';
import { createSqliteCatalogStore } from './sqlite-catalog-store.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-catalog-round-trip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (text: string) => new TextEncoder().encode(text);

async function openEngine(file: string): Promise<{ catalog: CatalogEngine; store: CatalogStore }> {
  const store = await createSqliteCatalogStore({ file: join(dir, file) });
  const catalog = await createCatalog({
    store,
    clock: createSystemClock(),
    logger: silentLogger,
    datacenter: 'dc1',
    node: { name: 'node-a', address: '127.0.0.1' },
  });
  return { catalog, store };
}

async function closeEngine({ catalog, store }: { catalog: CatalogEngine; store: CatalogStore }): Promise<void> {
  await catalog.close();
  await store.close();
}

describe('catalog snapshot round trip over SQLite', () => {
  it('restores a saved snapshot whole into another catalog, which keeps it across a restart', async () => {
    const source = await openEngine('source.db');
    await source.catalog.kvPut({ key: 'config/db/url', value: bytes('postgres://db'), flags: 7 });
    await source.catalog.kvPut({ key: 'empty', value: null });
    await source.catalog.kvPut({ key: 'gone', value: bytes('x') });
    await source.catalog.kvDelete({ key: 'gone' });
    const session = await source.catalog.sessionCreate({ name: 'leader', ttlMs: 60_000 });
    expect((await source.catalog.kvPut({ key: 'locks/leader', value: bytes('me'), acquire: session.id })).value).toBe(
      true,
    );
    await source.catalog.registerService({
      id: 'web-1',
      name: 'web',
      tags: ['v1'],
      address: '127.0.0.1',
      port: 8080,
      meta: { team: 'a' },
      taggedAddresses: {},
      weights: { passing: 1, warning: 1 },
      enableTagOverride: false,
      source: { kind: 'agent' },
      checks: [
        {
          checkId: 'service:web-1',
          name: "Service 'web' check",
          serviceId: 'web-1',
          notes: '',
          status: 'passing',
          definition: { type: 'ttl', ttlMs: 60_000 },
        },
      ],
    });
    const saved = source.catalog.snapshot();
    const file = encodeCatalogSnapshot(saved);
    await closeEngine(source);

    const decoded = decodeCatalogSnapshot(file);
    expect(sortedCatalogSnapshot(decoded)).toEqual(sortedCatalogSnapshot(saved));

    const target = await openEngine('target.db');
    for (let i = 0; i < 40; i += 1) await target.catalog.kvPut({ key: `before/${i}`, value: bytes(String(i)) });
    const indexBefore = target.catalog.index();
    await target.catalog.restore(decoded);
    const restoredIndex = target.catalog.index();
    // The snapshot is older than what the target had written: its index is taken one past the target's.
    expect(saved.index).toBeLessThan(indexBefore);
    expect(restoredIndex).toBeGreaterThan(indexBefore);
    expect(target.catalog.kvGet('before/0').value).toBeUndefined();
    await closeEngine(target);

    const restarted = await openEngine('target.db');
    try {
      expect(restarted.catalog.index()).toBeGreaterThanOrEqual(restoredIndex);
      expect(restarted.catalog.kvGet('config/db/url').value?.value).toEqual(bytes('postgres://db'));
      expect(restarted.catalog.kvGet('config/db/url').value?.flags).toBe(7);
      expect(restarted.catalog.kvGet('empty').value?.value).toBeNull();
      expect(restarted.catalog.kvGet('locks/leader').value?.session).toBe(session.id);
      expect(restarted.catalog.sessionGet(session.id).value?.name).toBe('leader');
      expect(restarted.catalog.service('web-1')?.meta).toEqual({ team: 'a' });
      expect(restarted.catalog.check('service:web-1')?.status).toBe('passing');
      // What a save of the restarted catalog writes decodes as well.
      expect(() => decodeCatalogSnapshot(encodeCatalogSnapshot(restarted.catalog.snapshot()))).not.toThrow();
    } finally {
      await closeEngine(restarted);
    }
  });
});
