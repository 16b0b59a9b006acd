/**
 * Keeps every domain's certificate valid: orders one over ACME for a domain without one, renews it once
 * `renewAtFraction` of its lifetime has passed, backs off after failures (recording a coded error per domain),
 * publishes `certificate.expiring` once per certificate `expiryWarningMs` before it expires, and keeps the edge's TLS
 * state equal to the store's. One pass at a time, one order at a time; the loop is owned and awaited on stop.
 */
import { isSlipwayError, type EdgeHostCertificate } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord, HostClaimRecord } from '../domain/records.js';
import { publishCertificateExpiring } from '../notifications/delivery-event-publishing.js';
import type { AcmeIssuer } from '../ports/acme-issuer.js';
import type { EdgeTls } from '../ports/edge-tls.js';
import type { AcmeChallengeKind, DomainRecord } from './domain-records.js';
import { accountScope, certificateScope, openValue, sealValue } from './domain-sealing.js';
import { createEdgeTlsPublisher } from './edge-tls-publisher.js';
import { routeDomainChanges } from './route-domains.js';

export interface CertificateSettings {
  /** Renew once this fraction of a certificate's lifetime has passed (default 2/3). */
  readonly renewAtFraction: number;
  /** Waits before the next attempt after the 1st, 2nd, … failure in a row; the last one repeats. */
  readonly retryDelaysMs: readonly number[];
  /** `certificate.expiring` is published this long before a certificate expires (default 14 days). */
  readonly expiryWarningMs: number;
  /** The challenge certificates are ordered with (default `http-01`). */
  readonly challenge: AcmeChallengeKind;
  /** Between two passes (default 60 s); a domain added or a route changed starts one at once. */
  readonly checkIntervalMs: number;
}

export const defaultCertificateSettings: CertificateSettings = {
  renewAtFraction: 2 / 3,
  retryDelaysMs: [60_000, 5 * 60_000, 30 * 60_000, 3 * 3_600_000, 12 * 3_600_000],
  expiryWarningMs: 14 * 86_400_000,
  challenge: 'http-01',
  checkIntervalMs: 60_000,
};

export type CertificateDeps = Pick<
  CoreDeps,
  'store' | 'clock' | 'ids' | 'logger' | 'secretCipher' | 'deliveryEvents' | 'settings'
> & {
  readonly edge: EdgeTls;
  /** Absent: certificates are not ordered (no CA configured); domains stay `pending`. */
  readonly issuer?: AcmeIssuer | undefined;
  /** Called after a certificate was issued (the routing table then redirects its host); its failure is logged. */
  readonly onCertificatesChanged?: () => Promise<unknown>;
};

export interface CertificateManager {
  start(): void;
  /** Ends the loop: an order under way is aborted; resolves once the pass has ended. Idempotent. */
  stop(): Promise<void>;
  /** One pass now, after the one under way; resolves when it is over. Never throws. */
  runPass(): Promise<void>;
  /** Asks for a pass soon (a domain added, removed, routed). */
  poke(): void;
  /** Sends the edge its TLS state again (a restarted edge). Never throws. */
  resend(): Promise<void>;
}

/** True when the domain needs an order now: no certificate, or past its renewal point, and not backing off. */
export function isCertificateDue(domain: DomainRecord, nowMs: number, renewAtFraction: number): boolean {
  if (nowMs < domain.nextAttemptAtMs) return false;
  const certificate = domain.certificate;
  if (certificate === null) return true;
  const lifetimeMs = certificate.notAfterMs - certificate.notBeforeMs;
  return nowMs >= certificate.notBeforeMs + lifetimeMs * renewAtFraction;
}

const maxErrorMessageChars = 500;

export function createCertificateManager(deps: CertificateDeps, settings: CertificateSettings): CertificateManager {
  const logger = deps.logger.child({ component: 'certificates' });
  const publisher = createEdgeTlsPublisher(deps.edge, logger);
  const stopping = new AbortController();
  let passing: Promise<void> = Promise.resolve();
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let isPoked = false;

  async function syncRouteDomains(): Promise<void> {
    const [routes, domains, apps, claims] = await Promise.all([
      deps.store.routes.list(),
      deps.store.domains.list(),
      deps.store.apps.list(),
      deps.store.hostClaims.list(),
    ]);
    const changes = routeDomainChanges({
      routes,
      domains,
      apps: new Map(apps.map((app): [string, AppRecord] => [app.id, app])),
      claims: new Map(claims.map((claim): [string, HostClaimRecord] => [claim.host, claim])),
      defaultDomain: deps.settings.defaultDomain,
      nowMs: deps.clock.nowMs(),
    });
    for (const domain of changes.added) {
      await deps.store.domains.insert(domain).catch((error: unknown) => {
        if (!isSlipwayError(error) || error.code !== 'DOMAIN_EXISTS') throw error;
      });
    }
    for (const host of changes.removed) await deps.store.domains.delete(host);
  }

  /** The store's valid certificates to the edge; `issued` stands for its host's stored one (not written yet). */
  async function publishCertificates(issued?: { host: string; cert: string; key: string }): Promise<void> {
    const certificates: EdgeHostCertificate[] = issued === undefined ? [] : [issued];
    for (const domain of await deps.store.domains.list()) {
      if (domain.host === issued?.host) continue;
      if (domain.certificate === null || domain.certificate.notAfterMs <= deps.clock.nowMs()) continue;
      try {
        const { cert, key } = JSON.parse(
          openValue(deps, certificateScope(domain.projectId, domain.host), domain.certificate.sealed),
        ) as { cert: string; key: string };
        certificates.push({ host: domain.host, cert, key });
      } catch (error) {
        logger.warn({ host: domain.host, err: error }, 'certificate unreadable, ordering a new one');
        await deps.store.domains.update({ ...domain, certificate: null, nextAttemptAtMs: 0 });
      }
    }
    await publisher.setCertificates(certificates);
  }

  async function accountOf(issuer: AcmeIssuer): Promise<{ key: string; url: string | null }> {
    const found = await deps.store.domains.findAccount(issuer.directoryUrl);
    if (found !== undefined)
      return { key: openValue(deps, accountScope(issuer.directoryUrl), found.sealedKey), url: found.accountUrl };
    const key = await issuer.createAccountKey();
    await deps.store.domains.saveAccount({
      directoryUrl: issuer.directoryUrl,
      sealedKey: sealValue(deps, accountScope(issuer.directoryUrl), key),
      accountUrl: null,
      createdAtMs: deps.clock.nowMs(),
    });
    return { key, url: null };
  }

  async function order(issuer: AcmeIssuer, domain: DomainRecord): Promise<void> {
    const startedAtMs = deps.clock.nowMs();
    logger.info({ host: domain.host, challenge: settings.challenge }, 'certificate ordering');
    try {
      const account = await accountOf(issuer);
      const issued = await issuer.issue(
        {
          host: domain.host,
          challenge: settings.challenge,
          accountKey: account.key,
          accountUrl: account.url,
          signal: stopping.signal,
        },
        { present: (answer) => publisher.addChallenge(answer), remove: (answer) => publisher.removeChallenge(answer) },
      );
      if (issued.accountUrl !== account.url) {
        const saved = await deps.store.domains.findAccount(issuer.directoryUrl);
        if (saved !== undefined) await deps.store.domains.saveAccount({ ...saved, accountUrl: issued.accountUrl });
      }
      const current = await deps.store.domains.findByHost(domain.host);
      if (current === undefined) return;
      const sealed = sealValue(
        deps,
        certificateScope(current.projectId, current.host),
        JSON.stringify({ cert: issued.cert, key: issued.key }),
      );
      // The edge serves it before the domain says `active`.
      await publishCertificates({ host: current.host, cert: issued.cert, key: issued.key });
      await deps.store.domains.update({
        ...current,
        verification: current.verification === 'pending' ? 'acme' : current.verification,
        state: 'active',
        certificate: {
          sealed,
          notBeforeMs: issued.notBeforeMs,
          notAfterMs: issued.notAfterMs,
          issuedAtMs: deps.clock.nowMs(),
          challenge: settings.challenge,
        },
        lastError: null,
        failures: 0,
        nextAttemptAtMs: 0,
        expiryNotifiedAtMs: null,
      });
      logger.info(
        {
          host: domain.host,
          notAfter: new Date(issued.notAfterMs).toISOString(),
          tookMs: deps.clock.nowMs() - startedAtMs,
        },
        'certificate issued',
      );
      await deps
        .onCertificatesChanged?.()
        .catch((error: unknown) => logger.warn({ err: error }, 'routing table not synced after a certificate'));
    } catch (error) {
      const code = isSlipwayError(error) ? error.code : 'ACME_REJECTED';
      const message = (error as Error).message.slice(0, maxErrorMessageChars);
      const current = await deps.store.domains.findByHost(domain.host);
      if (current === undefined) return;
      const failures = current.failures + 1;
      const delays = settings.retryDelaysMs;
      const delayMs = delays[Math.min(failures, delays.length) - 1] ?? 60_000;
      const nowMs = deps.clock.nowMs();
      const isServing = current.certificate !== null && current.certificate.notAfterMs > nowMs;
      await deps.store.domains.update({
        ...current,
        state: isServing ? 'active' : 'failed',
        lastError: { code, message, atMs: nowMs },
        failures,
        nextAttemptAtMs: nowMs + delayMs,
      });
      logger.warn({ host: domain.host, code, failures, retryInMs: delayMs, err: error }, 'certificate order failed');
    }
  }

  async function notifyExpiring(): Promise<void> {
    const nowMs = deps.clock.nowMs();
    for (const domain of await deps.store.domains.list()) {
      const certificate = domain.certificate;
      if (certificate === null || domain.expiryNotifiedAtMs !== null) continue;
      if (certificate.notAfterMs - nowMs > settings.expiryWarningMs) continue;
      await publishCertificateExpiring(deps, { ...domain, notAfterMs: certificate.notAfterMs });
      await deps.store.domains.update({ ...domain, expiryNotifiedAtMs: nowMs });
      logger.warn(
        { host: domain.host, notAfter: new Date(certificate.notAfterMs).toISOString() },
        'certificate expiring',
      );
    }
  }

  async function pass(): Promise<void> {
    await syncRouteDomains();
    await publishCertificates();
    const issuer = deps.issuer;
    if (issuer !== undefined) {
      for (const domain of await deps.store.domains.list()) {
        if (stopping.signal.aborted) return;
        if (isCertificateDue(domain, deps.clock.nowMs(), settings.renewAtFraction)) await order(issuer, domain);
      }
    }
    await notifyExpiring();
  }

  const runPass = (): Promise<void> => {
    const run = passing.then(() =>
      pass().catch((error: unknown) => logger.warn({ err: error }, 'certificate pass failed')),
    );
    passing = run;
    return run;
  };

  async function runLoop(): Promise<void> {
    while (!stopping.signal.aborted) {
      isPoked = false;
      await runPass();
      // Stopped while the pass ran: no sleep (stop() found no sleep to wake then).
      if (stopping.signal.aborted) break;
      if (isPoked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.checkIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    start() {
      loop ??= runLoop();
    },
    async stop() {
      stopping.abort();
      wake?.();
      await loop;
      await passing;
    },
    runPass,
    poke() {
      isPoked = true;
      wake?.();
    },
    resend: () => publisher.resend(),
  };
}
