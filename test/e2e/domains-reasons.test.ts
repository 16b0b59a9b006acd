/**
 * Custom domains on a slipwayd with no ACME directory, from the outside: a domain added says why it stays `pending`
 * and what to do (a coded reason in the API answer and in the CLI's output); hostile names (an IP address, a wildcard,
 * a Unicode name, an over-long label or name) are refused with a coded error and nothing stored; a name in capitals is
 * kept in lowercase; a domain's own HTTPS redirect and HSTS max-age are set and bad values refused; a viewer lists
 * the domains and may change none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainView } from '@slipway/contract';
import { callApi, createUser, errorCode, errorMessage, tokenOf } from './identity-fixtures.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

describe('domains without an ACME directory, and hostile domain names', () => {
  let slipwayd: SlipwaydHarness;
  let adminToken = '';

  const add = (domain: unknown, token = adminToken) =>
    callApi(slipwayd, { method: 'POST', path: '/api/v1/apps/shop/domains', token, json: { domain } });

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'shop' });
    adminToken = (await slipwayd.adminToken()) ?? '';
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('says a pending domain gets no certificate because no ACME directory is configured, and what to set', async () => {
    const added = await slipwayd.cli(['domains', 'add', 'shop', 'shop.example.test']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('shop.example.test: ACME_NOT_CONFIGURED: no ACME directory is configured');
    const listed = await slipwayd.cli(['domains', 'list', 'shop']);
    expect(listed.stdout).toMatch(/shop\.example\.test\s+production\s+added\s+pending\s+pending/);
    expect(listed.stdout).toContain('--acme-directory URL');
    const { domains } = await slipwayd.api.domains.list('shop');
    expect(domains.map((d: DomainView) => [d.domain, d.state, d.reason?.code])).toEqual([
      ['shop.example.test', 'pending', 'ACME_NOT_CONFIGURED'],
    ]);
  });

  it.each([
    ['an IPv4 address', '203.0.113.7', 'an IP address cannot be a domain'],
    ['a wildcard', '*.example.test', 'a wildcard cannot be a domain'],
    ['a Unicode name', 'bücher.example.test', 'ASCII form (xn--'],
    ['a label of 64 characters', `${'a'.repeat(64)}.example.test`, 'at most 63 characters'],
    ['a name of 254 characters', `${'a.'.repeat(125)}test`, ''],
    ['an empty name', '', ''],
    ['a name with a port', 'shop.example.test:8443', ''],
    ['a number', 42, ''],
  ])('refuses %s with VALIDATION_FAILED and stores nothing', async (_what, domain, message) => {
    const answer = await add(domain);
    expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(errorMessage(answer)).toContain(message);
    expect((await slipwayd.api.domains.list('shop')).domains).toHaveLength(1);
  });

  it('keeps a name written in capitals in lowercase, and removes it by either spelling', async () => {
    const answer = await add('WWW.Example.TEST');
    expect(answer.status).toBe(201);
    expect((answer.body as DomainView).domain).toBe('www.example.test');
    const removed = await callApi(slipwayd, {
      method: 'DELETE',
      path: '/api/v1/apps/shop/domains/WWW.example.test',
      token: adminToken,
    });
    expect(removed.status).toBe(204);
    expect((await slipwayd.api.domains.list('shop')).domains.map((d) => d.domain)).toEqual(['shop.example.test']);
  });

  it("sets a domain's own HTTPS redirect and HSTS max-age, and refuses bad values with VALIDATION_FAILED", async () => {
    const set = await slipwayd.cli(['domains', 'set', 'shop', 'shop.example.test', '--https-redirect', 'off']);
    expect(set.code, set.stderr).toBe(0);
    const patched = await slipwayd.api.domains.set('shop', 'shop.example.test', { hstsMaxAgeSeconds: 0 });
    expect([patched.httpsRedirect, patched.hstsMaxAgeSeconds]).toEqual(['off', 0]);
    for (const json of [{ httpsRedirect: 'sometimes' }, { hstsMaxAgeSeconds: 63_072_001 }, { hstsMaxAgeSeconds: -1 }]) {
      const answer = await callApi(slipwayd, {
        method: 'PATCH',
        path: '/api/v1/apps/shop/domains/shop.example.test',
        token: adminToken,
        json,
      });
      expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    const listed = await slipwayd.cli(['domains', 'list', 'shop']);
    expect(listed.stdout).toContain('off/0');
    const reset = await slipwayd.api.domains.set('shop', 'shop.example.test', {
      httpsRedirect: 'default',
      hstsMaxAgeSeconds: null,
    });
    expect([reset.httpsRedirect, reset.hstsMaxAgeSeconds]).toEqual(['default', null]);
  });

  it('lets a viewer list the domains and change none', async () => {
    await createUser(slipwayd, 'vera', [{ role: 'viewer', project: 'default' }]);
    const vera = await tokenOf(slipwayd, 'vera');
    const listed = await callApi(slipwayd, { method: 'GET', path: '/api/v1/apps/shop/domains', token: vera });
    expect(listed.status).toBe(200);
    const added = await add('viewer.example.test', vera);
    expect({ status: added.status, code: errorCode(added) }).toEqual({ status: 403, code: 'FORBIDDEN' });
    const removed = await callApi(slipwayd, {
      method: 'DELETE',
      path: '/api/v1/apps/shop/domains/shop.example.test',
      token: vera,
    });
    expect(removed.status).toBe(403);
    const anonymous = await callApi(slipwayd, { method: 'GET', path: '/api/v1/apps/shop/domains' });
    expect(anonymous.status).toBe(401);
    expect((await slipwayd.api.domains.list('shop')).domains.map((d) => d.domain)).toEqual(['shop.example.test']);
  });
});
