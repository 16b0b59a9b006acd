/** The pure parts of custom domains: when a certificate is due, which hosts are domains, routes and HTTPS hosts. */
import { describe, expect, it } from 'vitest';
import type { AppRecord, HostClaimRecord, RouteRecord } from '../domain/records.js';
import { isCertificateDue } from './certificate-manager.js';
import type { DomainRecord } from './domain-records.js';
import { domainRoutes, httpsHostsOf, isCertifiableHost, routeDomainChanges } from './route-domains.js';

const dayMs = 86_400_000;
const app: AppRecord = { id: 'app_1', projectId: 'prj_1', name: 'shop', createdAtMs: 0 };
const route = (host: string, origin: RouteRecord['origin']): RouteRecord => ({
  id: `rte_${host}`,
  appId: app.id,
  environmentId: 'env_1',
  host,
  pathPrefix: '/',
  process: 'web',
  timeoutMs: null,
  origin,
});
const domain = (host: string, overrides: Partial<DomainRecord> = {}): DomainRecord => ({
  host,
  projectId: app.projectId,
  appId: app.id,
  environmentId: 'env_1',
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
  createdAtMs: 0,
  ...overrides,
});
const certificate = (notBeforeMs: number, notAfterMs: number): DomainRecord['certificate'] => ({
  sealed: { dataKeyId: 'dk', wrappedKey: 'w', masterKeyId: 'm', nonce: 'n', ciphertext: 'c' },
  notBeforeMs,
  notAfterMs,
  issuedAtMs: notBeforeMs,
  challenge: 'http-01',
});

describe('when a certificate is due', () => {
  it('is due without a certificate, unless backing off after a failure', () => {
    expect(isCertificateDue(domain('a.example.com'), 1_000, 2 / 3)).toBe(true);
    expect(isCertificateDue(domain('a.example.com', { nextAttemptAtMs: 2_000 }), 1_000, 2 / 3)).toBe(false);
    expect(isCertificateDue(domain('a.example.com', { nextAttemptAtMs: 2_000 }), 2_000, 2 / 3)).toBe(true);
  });

  it('renews at two thirds of a 90-day lifetime: day 60, not day 59', () => {
    const issued = domain('a.example.com', { certificate: certificate(0, 90 * dayMs) });
    expect(isCertificateDue(issued, 59 * dayMs, 2 / 3)).toBe(false);
    expect(isCertificateDue(issued, 60 * dayMs, 2 / 3)).toBe(true);
  });
});

describe('domains of routes', () => {
  it('takes certifiable manifest hosts as domains and drops those no longer routed', () => {
    expect(isCertifiableHost('shop.example.com', 'localhost')).toBe(true);
    expect(isCertifiableHost('*.example.com', 'localhost')).toBe(false);
    expect(isCertifiableHost('shop.localhost', 'localhost')).toBe(false);
    expect(isCertifiableHost('intranet', 'localhost')).toBe(false);
    const claims = new Map<string, HostClaimRecord>([
      [
        'api.example.com',
        { host: 'api.example.com', projectId: 'prj_1', origin: 'granted', appId: null, createdAtMs: 0 },
      ],
    ]);
    const changes = routeDomainChanges({
      routes: [
        route('shop.localhost', 'default'),
        route('api.example.com', 'manifest'),
        route('*.example.org', 'manifest'),
      ],
      domains: [domain('old.example.com', { origin: 'route' }), domain('added.example.com')],
      apps: new Map([[app.id, app]]),
      claims,
      defaultDomain: 'localhost',
      nowMs: 5,
    });
    expect(changes.added.map((d) => [d.host, d.origin, d.verification])).toEqual([
      ['api.example.com', 'route', 'grant'],
    ]);
    expect(changes.removed).toEqual(['old.example.com']);
  });

  it('routes an added domain like its app environment default route, once', () => {
    const routes = [route('shop.localhost', 'default'), route('api.example.com', 'manifest')];
    const added = domainRoutes(routes, [
      domain('shop.example.com'),
      domain('api.example.com'),
      domain('x.example.com', { appId: 'other' }),
    ]);
    expect(added.map((r) => [r.host, r.process, r.pathPrefix])).toEqual([['shop.example.com', 'web', '/']]);
  });
});

describe('hosts served over HTTPS', () => {
  it('redirects and adds HSTS only on hosts whose certificate is valid now', () => {
    const domains = [
      domain('valid.example.com', { certificate: certificate(0, 10 * dayMs) }),
      domain('expired.example.com', { certificate: certificate(0, dayMs) }),
      domain('pending.example.com'),
    ];
    const hosts = httpsHostsOf(domains, { redirectPort: 443, hsts: 'max-age=300' }, 2 * dayMs);
    expect([...hosts]).toEqual([['valid.example.com', { httpsRedirectPort: 443, hsts: 'max-age=300' }]]);
    expect(httpsHostsOf(domains, {}, 2 * dayMs).size).toBe(0);
    expect(httpsHostsOf(domains, undefined, 2 * dayMs).size).toBe(0);
  });

  it("applies a domain's own redirect and HSTS over the server's, never before a valid certificate", () => {
    const valid = { certificate: certificate(0, 10 * dayMs) };
    const domains = [
      domain('off.example.com', { ...valid, httpsRedirect: 'off' }),
      domain('on.example.com', { ...valid, httpsRedirect: 'on', hstsMaxAgeSeconds: 60 }),
      domain('default.example.com', { ...valid, hstsMaxAgeSeconds: 0 }),
      domain('pending.example.com', { httpsRedirect: 'on', hstsMaxAgeSeconds: 60 }),
    ];
    const serverOn = httpsHostsOf(domains, { redirectPort: 8443, httpsPort: 8443, hsts: 'max-age=300' }, dayMs);
    expect([...serverOn]).toEqual([
      ['off.example.com', { hsts: 'max-age=300' }],
      ['on.example.com', { httpsRedirectPort: 8443, hsts: 'max-age=60' }],
      ['default.example.com', { httpsRedirectPort: 8443 }],
    ]);
    const serverOff = httpsHostsOf(domains, { httpsPort: 8443 }, dayMs);
    expect([...serverOff]).toEqual([['on.example.com', { httpsRedirectPort: 8443, hsts: 'max-age=60' }]]);
    expect([...httpsHostsOf(domains, undefined, dayMs)]).toEqual([['on.example.com', { hsts: 'max-age=60' }]]);
  });
});
