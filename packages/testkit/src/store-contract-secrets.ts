/** Store contract, secrets part: wrapped data keys, sealed secrets with their versions, and release snapshots. */
import { describe, expect, it } from 'vitest';
import type { DataKeyRecord, SecretRecord, Store } from '@slipway/core';
import { api, production, rejection, release, staging, t0, web } from './store-contract-fixtures.js';

const dataKey = (id: string, over: Partial<DataKeyRecord> = {}): DataKeyRecord => ({
  id,
  appId: web.id,
  environmentId: production.id,
  wrappedKey: `AXdyYXBwZWQt${id}`,
  masterKeyId: 'mk_0000000000000001',
  createdAtMs: t0,
  wrappedAtMs: t0,
  ...over,
});

const secret = (name: string, version: number, over: Partial<SecretRecord> = {}): SecretRecord => ({
  appId: web.id,
  environmentId: production.id,
  name,
  version,
  sealed: { dataKeyId: 'dk_01', nonce: `bm9uY2Ut${version}`, ciphertext: `c2VhbGVkLSR7bmFtZX0t${name}${version}` },
  updatedAtMs: t0 + version,
  ...over,
});

/** Registers the secrets tests; `store` returns the migrated, seeded store of the running test. */
export function describeSecretContract(store: () => Store): void {
  describe('data keys', () => {
    it('finds a data key by id, and the newest of an app environment as current', async () => {
      await store().dataKeys.insert(dataKey('dk_01'));
      await store().dataKeys.insert(dataKey('dk_02', { createdAtMs: t0 + 5 }));
      await store().dataKeys.insert(dataKey('dk_03', { environmentId: staging.id, createdAtMs: t0 + 9 }));

      expect(await store().dataKeys.findById('dk_01')).toEqual(dataKey('dk_01'));
      expect(await store().dataKeys.findById('dk_missing')).toBeUndefined();
      expect((await store().dataKeys.findCurrent(web.id, production.id))?.id).toBe('dk_02');
      expect(await store().dataKeys.findCurrent(api.id, production.id)).toBeUndefined();
    });

    it('re-wraps only a key still wrapped by the expected master key, and lists and counts by master key', async () => {
      await store().dataKeys.insert(dataKey('dk_01'));
      await store().dataKeys.insert(dataKey('dk_02', { createdAtMs: t0 + 1 }));
      const wrapped = { wrappedKey: 'AW5ldy13cmFw', masterKeyId: 'mk_0000000000000002', wrappedAtMs: t0 + 50 };

      expect(await store().dataKeys.rewrap('dk_01', 'mk_0000000000000001', wrapped)).toBe(true);
      expect(await store().dataKeys.rewrap('dk_01', 'mk_0000000000000001', wrapped)).toBe(false);
      expect(await store().dataKeys.rewrap('dk_missing', 'mk_0000000000000001', wrapped)).toBe(false);

      expect(await store().dataKeys.findById('dk_01')).toEqual({ ...dataKey('dk_01'), ...wrapped });
      expect((await store().dataKeys.listNotWrappedBy('mk_0000000000000002', 10)).map((k) => k.id)).toEqual(['dk_02']);
      expect(await store().dataKeys.listNotWrappedBy('mk_0000000000000002', 0)).toEqual([]);
      expect(await store().dataKeys.countByMasterKey()).toEqual({ mk_0000000000000001: 1, mk_0000000000000002: 1 });
    });
  });

  describe('secrets', () => {
    it('round-trips a sealed secret, lists the set ones by name, and finds an unset one too', async () => {
      await store().secrets.put(secret('TOKEN', 1), null);
      await store().secrets.put(secret('API_KEY', 1), null);
      await store().secrets.put(secret('GONE', 2, { sealed: null }), null);
      await store().secrets.put(secret('OTHER_ENV', 1, { environmentId: staging.id }), null);

      expect(await store().secrets.find(web.id, production.id, 'TOKEN')).toEqual(secret('TOKEN', 1));
      expect(await store().secrets.find(web.id, production.id, 'GONE')).toEqual(secret('GONE', 2, { sealed: null }));
      expect(await store().secrets.find(web.id, production.id, 'MISSING')).toBeUndefined();
      expect((await store().secrets.list(web.id, production.id)).map((s) => s.name)).toEqual(['API_KEY', 'TOKEN']);
    });

    it('writes only over the expected version, else refuses with VERSION_CONFLICT and keeps what is stored', async () => {
      await store().secrets.put(secret('TOKEN', 1), null);

      expect((await rejection(store().secrets.put(secret('TOKEN', 1), null))).code).toBe('VERSION_CONFLICT');
      expect((await rejection(store().secrets.put(secret('TOKEN', 3), 2))).code).toBe('VERSION_CONFLICT');
      await store().secrets.put(secret('TOKEN', 2), 1);
      await store().secrets.put(secret('TOKEN', 3, { sealed: null }), 2);

      expect(await store().secrets.find(web.id, production.id, 'TOKEN')).toEqual(secret('TOKEN', 3, { sealed: null }));
      expect(await store().secrets.list(web.id, production.id)).toEqual([]);
    });

    it('snapshots the set secrets into a release, unchanged by later writes, and again whole when repeated', async () => {
      await store().releases.insert(release('rel_01', 1));
      await store().secrets.put(secret('TOKEN', 1), null);
      await store().secrets.put(secret('GONE', 2, { sealed: null }), null);
      await store().secrets.snapshotToRelease('rel_01', web.id, production.id);
      await store().secrets.put(secret('TOKEN', 2), 1);

      const snapshot = await store().secrets.listForRelease('rel_01');
      expect(snapshot).toEqual([{ releaseId: 'rel_01', name: 'TOKEN', version: 1, sealed: secret('TOKEN', 1).sealed }]);

      await store().secrets.snapshotToRelease('rel_01', web.id, production.id);
      expect((await store().secrets.listForRelease('rel_01')).map((s) => s.version)).toEqual([2]);
      expect(await store().secrets.listForRelease('rel_missing')).toEqual([]);
    });

    it('deletes a release snapshot with its release, and everything secret with its app', async () => {
      await store().releases.insert(release('rel_01', 1));
      await store().dataKeys.insert(dataKey('dk_01'));
      await store().secrets.put(secret('TOKEN', 1), null);
      await store().secrets.snapshotToRelease('rel_01', web.id, production.id);

      await store().releases.delete('rel_01');
      expect(await store().secrets.listForRelease('rel_01')).toEqual([]);

      await store().apps.delete(web.id);
      expect(await store().dataKeys.findById('dk_01')).toBeUndefined();
      expect(await store().secrets.find(web.id, production.id, 'TOKEN')).toBeUndefined();
    });

    it('writes secrets in a transaction together with the rest, or not at all', async () => {
      await expect(
        store().transaction(async (tx) => {
          await tx.dataKeys.insert(dataKey('dk_01'));
          await tx.secrets.put(secret('TOKEN', 1), null);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store().dataKeys.findById('dk_01')).toBeUndefined();
      expect(await store().secrets.find(web.id, production.id, 'TOKEN')).toBeUndefined();
    });
  });
}
