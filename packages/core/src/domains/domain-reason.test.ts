import { describe, expect, it } from 'vitest';
import type { DomainRecord } from './domain-records.js';
import { domainReason, type DomainServing } from './domain-reason.js';

const nowMs = Date.UTC(2026, 11, 7);
const dayMs = 86_400_000;
const serving: DomainServing = { renewAtFraction: 2 / 3, isOrdering: true, isServingTls: true, challenge: 'http-01' };

const domain = (overrides: Partial<DomainRecord> = {}): DomainRecord => ({
  host: 'shop.example.com',
  projectId: 'prj_1',
  appId: 'app_1',
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
  createdAtMs: nowMs - dayMs,
  ...overrides,
});

const certificate = (notAfterMs: number): DomainRecord['certificate'] => ({
  sealed: { dataKeyId: 'k', wrappedKey: 'w', masterKeyId: 'm', nonce: 'n', ciphertext: 'c' },
  notBeforeMs: notAfterMs - 90 * dayMs,
  notAfterMs,
  issuedAtMs: notAfterMs - 90 * dayMs,
  challenge: 'http-01',
});

describe('why a domain is not served over HTTPS', () => {
  it('says a pending domain gets no certificate without an ACME directory, and which option to set', () => {
    const reason = domainReason(domain(), { ...serving, isOrdering: false }, nowMs);
    expect(reason?.code).toBe('ACME_NOT_CONFIGURED');
    expect(reason?.message).toContain('--acme-directory');
  });

  it('says a certificate will not be renewed without an ACME directory', () => {
    const active = domain({ state: 'active', certificate: certificate(nowMs + 30 * dayMs) });
    expect(domainReason(active, { ...serving, isOrdering: false }, nowMs)?.code).toBe('RENEWAL_OFF');
  });

  it('says the first order is under way, and what the CA needs to reach (port 80 for HTTP-01, 443 for TLS-ALPN-01)', () => {
    expect(domainReason(domain(), serving, nowMs)).toMatchObject({ code: 'CERTIFICATE_ORDERING' });
    expect(domainReason(domain(), serving, nowMs)?.message).toContain('port 80');
    expect(domainReason(domain(), { ...serving, challenge: 'tls-alpn-01' }, nowMs)?.message).toContain('port 443');
  });

  it('says a failed order is retried, when, and what to check for its code', () => {
    const failed = domain({
      state: 'failed',
      failures: 2,
      nextAttemptAtMs: nowMs + 300_000,
      lastError: { code: 'ACME_CHALLENGE_FAILED', message: 'dns', atMs: nowMs - 1 },
    });
    const reason = domainReason(failed, serving, nowMs);
    expect(reason?.code).toBe('CERTIFICATE_RETRYING');
    expect(reason?.message).toContain('2 failed orders in a row (last: ACME_CHALLENGE_FAILED)');
    expect(reason?.message).toContain(new Date(nowMs + 300_000).toISOString());
    expect(reason?.message).toContain('DNS of shop.example.com');
  });

  it('says a failed renewal of a still valid certificate is retried', () => {
    const renewing = domain({
      state: 'active',
      certificate: certificate(nowMs + 10 * dayMs),
      failures: 1,
      lastError: { code: 'ACME_CA_UNAVAILABLE', message: 'down', atMs: nowMs - 1 },
    });
    expect(domainReason(renewing, serving, nowMs)?.message).toContain('--acme-directory URL');
  });

  it('says an issued certificate is not served when the edge has no TLS listener', () => {
    const active = domain({ state: 'active', certificate: certificate(nowMs + 30 * dayMs) });
    expect(domainReason(active, { ...serving, isServingTls: false }, nowMs)?.code).toBe('EDGE_TLS_OFF');
  });

  it('gives no reason for a domain served with a certificate that will be renewed', () => {
    const active = domain({ state: 'active', certificate: certificate(nowMs + 30 * dayMs) });
    expect(domainReason(active, serving, nowMs)).toBeNull();
  });
});
