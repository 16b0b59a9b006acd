/**
 * Use cases of custom domains: add one to an app (its project claims the host, as a route would), list an app's
 * domains with their certificates' state, remove one, and read every certificate's expiry (for alerts).
 */
import { SlipwayError, type DomainView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { claimHost } from '../domain/host-ownership.js';
import type { DomainRecord } from '../domains/domain-records.js';
import { isCertifiableHost } from '../domains/route-domains.js';
import { domainReason, type DomainServing } from '../domains/domain-reason.js';
import type { Repositories } from '../ports/store.js';
import { getApp, getAppScope } from './lookups.js';

type DomainDeps = Pick<CoreDeps, 'store' | 'settings' | 'clock' | 'logger'>;

/** A domain's own HTTPS settings; absent ones stay as they are (`default` and null on a new domain). */
export interface DomainHttpsInput {
  httpsRedirect?: DomainRecord['httpsRedirect'] | undefined;
  hstsMaxAgeSeconds?: number | null | undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();

async function domainView(
  repos: Repositories,
  domain: DomainRecord,
  serving: DomainServing,
  nowMs: number,
): Promise<DomainView> {
  const [app, environment] = await Promise.all([
    repos.apps.findById(domain.appId),
    repos.environments.findById(domain.environmentId),
  ]);
  const certificate = domain.certificate;
  return {
    domain: domain.host,
    app: app?.name ?? domain.appId,
    environment: environment?.name ?? domain.environmentId,
    origin: domain.origin,
    verification: domain.verification,
    state: domain.state,
    certificate:
      certificate === null
        ? null
        : {
            notBefore: iso(certificate.notBeforeMs),
            notAfter: iso(certificate.notAfterMs),
            renewAt: iso(
              certificate.notBeforeMs + (certificate.notAfterMs - certificate.notBeforeMs) * serving.renewAtFraction,
            ),
            issuedAt: iso(certificate.issuedAtMs),
            challenge: certificate.challenge,
          },
    lastError:
      domain.lastError === null
        ? null
        : { code: domain.lastError.code, message: domain.lastError.message, at: iso(domain.lastError.atMs) },
    failures: domain.failures,
    nextAttemptAt: domain.nextAttemptAtMs === 0 ? null : iso(domain.nextAttemptAtMs),
    reason: domainReason(domain, serving, nowMs),
    httpsRedirect: domain.httpsRedirect,
    hstsMaxAgeSeconds: domain.hstsMaxAgeSeconds,
  };
}

/**
 * Adds `domain` to the app in `environment`: the app's project claims the host (refused when another project holds
 * it or a wildcard of another covers it, or when it is under the default domain), and the domain answers like the
 * app's default route once the router is synced. Idempotent for the same app and environment.
 * Errors: `APP_NOT_FOUND`, `ENVIRONMENT_NOT_FOUND`, `HOST_TAKEN`, `HOST_RESERVED`, `DOMAIN_EXISTS` (another app's).
 */
export async function addDomain(
  deps: DomainDeps,
  input: { app: string; environment: string; domain: string } & DomainHttpsInput,
  serving: DomainServing,
): Promise<DomainView> {
  const host = input.domain.toLowerCase();
  if (!isCertifiableHost(host, deps.settings.defaultDomain)) {
    throw new SlipwayError(
      'HOST_RESERVED',
      `"${host}" cannot be a custom domain: it must be a host name with a dot, outside the default domain ${deps.settings.defaultDomain}`,
      { details: { host } },
    );
  }
  const view = await deps.store.transaction(async (tx) => {
    const { app, environment } = await getAppScope(tx, input.app, input.environment);
    const existing = await tx.domains.findByHost(host);
    const nowMs = deps.clock.nowMs();
    if (existing !== undefined && existing.appId === app.id && existing.environmentId === environment.id)
      return domainView(tx, existing, serving, nowMs);
    // The claim first: a host of another project is HOST_TAKEN whether or not it is a domain there.
    const claim = await claimHost(tx, deps.settings, { host, projectId: app.projectId, kind: 'route' }, 'claim', nowMs);
    if (existing !== undefined)
      throw new SlipwayError('DOMAIN_EXISTS', `domain "${host}" is another app's already`, {
        details: { domain: host },
      });
    const record: DomainRecord = {
      host,
      projectId: app.projectId,
      appId: app.id,
      environmentId: environment.id,
      origin: 'added',
      verification: claim?.origin === 'granted' ? 'grant' : 'pending',
      state: 'pending',
      certificate: null,
      lastError: null,
      failures: 0,
      nextAttemptAtMs: 0,
      expiryNotifiedAtMs: null,
      httpsRedirect: input.httpsRedirect ?? 'default',
      hstsMaxAgeSeconds: input.hstsMaxAgeSeconds ?? null,
      createdAtMs: nowMs,
    };
    await tx.domains.insert(record);
    return domainView(tx, record, serving, nowMs);
  });
  deps.logger.info({ domain: host, app: input.app, environment: input.environment }, 'domain added');
  return view;
}

export async function listDomains(
  deps: Pick<CoreDeps, 'store' | 'clock'>,
  appName: string,
  serving: DomainServing,
): Promise<DomainView[]> {
  const app = await getApp(deps.store, appName);
  const domains = (await deps.store.domains.list()).filter((domain) => domain.appId === app.id);
  const nowMs = deps.clock.nowMs();
  return Promise.all(domains.map((domain) => domainView(deps.store, domain, serving, nowMs)));
}

/**
 * Removes an added domain from the app; its certificate is no longer served. The host stays the project's (an admin
 * frees it with `slipway hosts revoke`). Errors: `APP_NOT_FOUND`, `DOMAIN_NOT_FOUND`, `HOST_IN_USE` (a manifest
 * route names it: remove it there).
 */
export async function removeDomain(deps: DomainDeps, input: { app: string; domain: string }): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const app = await getApp(tx, input.app);
    const domain = await tx.domains.findByHost(input.domain);
    if (domain === undefined || domain.appId !== app.id)
      throw new SlipwayError('DOMAIN_NOT_FOUND', `app "${input.app}" has no domain "${input.domain}"`, {
        details: { app: input.app, domain: input.domain },
      });
    if (domain.origin === 'route')
      throw new SlipwayError(
        'HOST_IN_USE',
        `domain "${input.domain}" comes from the manifest's routes of ${input.app}: deploy without that route to remove it`,
        { details: { domain: input.domain } },
      );
    await tx.domains.delete(domain.host);
  });
  deps.logger.info({ domain: input.domain, app: input.app }, 'domain removed');
}

/**
 * Changes a domain's own HTTPS redirect and HSTS max-age (the router applies them once its certificate is valid).
 * Errors: `APP_NOT_FOUND`, `DOMAIN_NOT_FOUND`.
 */
export async function setDomainHttps(
  deps: DomainDeps,
  input: { app: string; domain: string } & DomainHttpsInput,
  serving: DomainServing,
): Promise<DomainView> {
  const view = await deps.store.transaction(async (tx) => {
    const app = await getApp(tx, input.app);
    const domain = await tx.domains.findByHost(input.domain);
    if (domain === undefined || domain.appId !== app.id)
      throw new SlipwayError('DOMAIN_NOT_FOUND', `app "${input.app}" has no domain "${input.domain}"`, {
        details: { app: input.app, domain: input.domain },
      });
    const record: DomainRecord = {
      ...domain,
      httpsRedirect: input.httpsRedirect ?? domain.httpsRedirect,
      hstsMaxAgeSeconds: input.hstsMaxAgeSeconds === undefined ? domain.hstsMaxAgeSeconds : input.hstsMaxAgeSeconds,
    };
    await tx.domains.update(record);
    return domainView(tx, record, serving, deps.clock.nowMs());
  });
  deps.logger.info({ domain: input.domain, app: input.app }, 'domain HTTPS settings changed');
  return view;
}

/** One certificate's expiry, for alerts (`certificate expiring`) and dashboards. */
export interface CertificateExpiry {
  host: string;
  appId: string;
  environmentId: string;
  projectId: string;
  /** Null when the domain has no certificate yet. */
  notAfterMs: number | null;
  state: DomainRecord['state'];
}

/** Every domain's certificate expiry, by host. Read-only. */
export async function listCertificateExpiries(deps: Pick<CoreDeps, 'store'>): Promise<CertificateExpiry[]> {
  return (await deps.store.domains.list()).map((domain) => ({
    host: domain.host,
    appId: domain.appId,
    environmentId: domain.environmentId,
    projectId: domain.projectId,
    notAfterMs: domain.certificate?.notAfterMs ?? null,
    state: domain.state,
  }));
}
