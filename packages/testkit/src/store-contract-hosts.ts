/** Store contract, host claims part: one project per host, enforced by the store however writers race. */
import { describe, expect, it } from 'vitest';
import type { DomainRecord, HostClaimRecord, Store } from '@slipway/core';
import { otherProject, production, rejection, t0, web } from './store-contract-fixtures.js';

const claim = (host: string, over: Partial<HostClaimRecord> = {}): HostClaimRecord => ({
  host,
  projectId: 'prj_01',
  origin: 'first-use',
  appId: null,
  createdAtMs: t0,
  ...over,
});

/** Registers the host claim tests; `store` returns the migrated, seeded store of the running test. */
export function describeHostClaimContract(store: () => Store): void {
  describe('host claims', () => {
    it('finds claims by host, by a list of hosts and under a suffix, ordered by host', async () => {
      await store().hostClaims.insert(claim('shop.example.com'));
      await store().hostClaims.insert(claim('*.example.com'));
      await store().hostClaims.insert(claim('web.localhost', { origin: 'default', appId: web.id }));
      expect(await store().hostClaims.findByHost('web.localhost')).toEqual(
        claim('web.localhost', { origin: 'default', appId: web.id }),
      );
      expect(await store().hostClaims.findByHost('nowhere.example.com')).toBeUndefined();
      const hosts = (records: HostClaimRecord[]) => records.map((r) => r.host);
      expect(hosts(await store().hostClaims.listByHosts(['shop.example.com', '*.example.com', '*.com']))).toEqual([
        '*.example.com',
        'shop.example.com',
      ]);
      expect(hosts(await store().hostClaims.listByHosts([]))).toEqual([]);
      expect(hosts(await store().hostClaims.listUnder('example.com'))).toEqual(['*.example.com', 'shop.example.com']);
      expect(hosts(await store().hostClaims.listUnder('shop.example.com'))).toEqual([]);
      expect(hosts(await store().hostClaims.list())).toEqual(['*.example.com', 'shop.example.com', 'web.localhost']);
    });

    it('refuses a second claim of one host with HOST_TAKEN, inside concurrent transactions too, keeping the first', async () => {
      await store().projects.insert(otherProject);
      await store().hostClaims.insert(claim('shop.example.com'));
      const error = await rejection(
        store().hostClaims.insert(claim('shop.example.com', { projectId: otherProject.id })),
      );
      expect(error.code).toBe('HOST_TAKEN');
      const racing = await Promise.allSettled(
        [claim('race.example.com'), claim('race.example.com', { projectId: otherProject.id })].map((record) =>
          store().transaction(async (tx) => {
            if ((await tx.hostClaims.findByHost(record.host)) !== undefined) throw new Error('seen');
            await tx.hostClaims.insert(record);
          }),
        ),
      );
      expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await store().hostClaims.listByHosts(['race.example.com'])).toHaveLength(1);
      expect((await store().hostClaims.findByHost('shop.example.com'))?.projectId).toBe('prj_01');
    });

    it('updates and deletes a claim (idempotently), and drops an app default host claim with its app', async () => {
      await store().hostClaims.insert(claim('web.localhost', { origin: 'default', appId: web.id }));
      await store().hostClaims.insert(claim('shop.example.com'));
      await store().hostClaims.update(claim('shop.example.com', { origin: 'granted' }));
      expect((await store().hostClaims.findByHost('shop.example.com'))?.origin).toBe('granted');
      await store().hostClaims.delete('shop.example.com');
      await store().hostClaims.delete('shop.example.com');
      expect(await store().hostClaims.findByHost('shop.example.com')).toBeUndefined();
      await store().apps.delete(web.id);
      expect(await store().hostClaims.list()).toEqual([]);
    });

    it("keeps a domain's own HTTPS redirect and HSTS max-age, the server's (default, null) unless set", async () => {
      const domain: DomainRecord = {
        host: 'shop.example.com',
        projectId: 'prj_01',
        appId: web.id,
        environmentId: production.id,
        origin: 'added',
        verification: 'pending',
        state: 'pending',
        certificate: null,
        lastError: null,
        failures: 0,
        nextAttemptAtMs: 0,
        expiryNotifiedAtMs: null,
        httpsRedirect: 'default',
        hstsMaxAgeSeconds: null,
        createdAtMs: t0,
      };
      await store().domains.insert(domain);
      expect(await store().domains.findByHost(domain.host)).toEqual(domain);
      await store().domains.update({ ...domain, httpsRedirect: 'off', hstsMaxAgeSeconds: 0 });
      const found = await store().domains.findByHost(domain.host);
      expect([found?.httpsRedirect, found?.hstsMaxAgeSeconds]).toEqual(['off', 0]);
      await store().domains.update({ ...domain, httpsRedirect: 'on', hstsMaxAgeSeconds: 63_072_000 });
      const list = await store().domains.list();
      expect(list.map((d) => [d.httpsRedirect, d.hstsMaxAgeSeconds])).toEqual([['on', 63_072_000]]);
    });
  });
}
