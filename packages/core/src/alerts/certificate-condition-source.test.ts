import { describe, expect, it } from 'vitest';
import type { CertificateExpiry } from '../use-cases/domains.js';
import type { AlertEvaluationContext } from './alert-conditions.js';
import type { AlertRuleRecord } from './alert-records.js';
import { createCertificateConditionSource } from './certificate-condition-source.js';

const dayMs = 86_400_000;
const nowMs = Date.UTC(2026, 11, 7);

const certificate = (host: string, over: Partial<CertificateExpiry> = {}): CertificateExpiry => ({
  host,
  appId: 'app_web',
  environmentId: 'env_prod',
  projectId: 'prj_shop',
  notAfterMs: nowMs + 30 * dayMs,
  state: 'active',
  ...over,
});

const rule: AlertRuleRecord = {
  id: 'alr_1',
  projectId: 'prj_shop',
  appId: null,
  environmentId: null,
  kind: 'certificate-expiry',
  threshold: 14,
  forMs: 0,
  minRequests: null,
  defaultKind: 'certificate-expiry',
  isEnabled: true,
  createdAtMs: nowMs,
};

/** The source reads certificates only through the reader it is given; the context's other members stay unused. */
const context = { nowMs, deps: {} } as unknown as AlertEvaluationContext;

describe('the certificate-expiry condition source', () => {
  it('holds for a certificate with fewer days left than the threshold, per host of the rule’s project only', async () => {
    const source = createCertificateConditionSource(async () => [
      certificate('shop.example.com', { notAfterMs: nowMs + 13.5 * dayMs }),
      certificate('www.example.com'),
      certificate('other.example.com', { projectId: 'prj_other', notAfterMs: nowMs + dayMs }),
      certificate('new.example.com', { notAfterMs: null }),
    ]);
    const observations = await source.observe(rule, context);
    expect(observations.map((o) => [o.subject, o.condition, o.value])).toEqual([
      ['shop.example.com', 'active', 13.5],
      ['www.example.com', 'inactive', 30],
      ['new.example.com', 'no-data', null],
    ]);
    expect(observations[0]?.message).toBe(
      'the certificate of shop.example.com expires in 13.5 days (2026-12-20T12:00:00.000Z)',
    );
  });

  it('narrows to the rule’s app and environment, and says when a certificate has expired', async () => {
    const source = createCertificateConditionSource(async () => [
      certificate('shop.example.com', { notAfterMs: nowMs - dayMs }),
      certificate('api.example.com', { appId: 'app_api' }),
    ]);
    const [only, ...rest] = await source.observe({ ...rule, appId: 'app_web', environmentId: 'env_prod' }, context);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ subjectKey: 'host:shop.example.com', condition: 'active', appId: 'app_web' });
    expect(only?.message).toBe('the certificate of shop.example.com expired at 2026-12-06T00:00:00.000Z');
  });
});
