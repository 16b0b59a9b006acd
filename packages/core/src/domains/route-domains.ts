/**
 * Where domains and routes meet: a domain added to an app answers like the app's default route (its `web` process
 * at `/`), and every host a manifest routes on (not a wildcard, not under the default domain) gets a domain of origin
 * `route` so it has a certificate too; it goes when no route names it any more.
 */
import type { AppRecord, HostClaimRecord, RouteRecord } from '../domain/records.js';
import { isReservedHost } from '../domain/host-ownership.js';
import type { DomainRecord } from './domain-records.js';

/** Routes of `added` domains, each a copy of its app environment's default route with the domain's host. */
export function domainRoutes(routes: readonly RouteRecord[], domains: readonly DomainRecord[]): RouteRecord[] {
  const defaults = new Map<string, RouteRecord>();
  for (const route of routes)
    if (route.origin === 'default') defaults.set(`${route.appId}/${route.environmentId}`, route);
  const routed = new Set(routes.map((route) => route.host));
  const added: RouteRecord[] = [];
  for (const domain of domains) {
    if (domain.origin !== 'added' || routed.has(domain.host)) continue;
    const base = defaults.get(`${domain.appId}/${domain.environmentId}`);
    if (base !== undefined) added.push({ ...base, id: `${base.id}~${domain.host}`, host: domain.host });
  }
  return added;
}

/** A host a certificate can be ordered for by HTTP-01 or TLS-ALPN-01: a name, not a wildcard, not the default domain's. */
export function isCertifiableHost(host: string, defaultDomain: string): boolean {
  return !host.startsWith('*.') && host.includes('.') && !isReservedHost(host, defaultDomain);
}

export interface RouteDomainChanges {
  readonly added: DomainRecord[];
  readonly removed: string[];
}

/** The `route` domains to add (hosts newly routed) and to remove (hosts no longer routed). */
export function routeDomainChanges(input: {
  routes: readonly RouteRecord[];
  domains: readonly DomainRecord[];
  apps: ReadonlyMap<string, AppRecord>;
  claims: ReadonlyMap<string, HostClaimRecord>;
  defaultDomain: string;
  nowMs: number;
}): RouteDomainChanges {
  const byHost = new Map(input.domains.map((domain) => [domain.host, domain]));
  const routed = new Map<string, RouteRecord>();
  for (const route of input.routes)
    if (route.origin === 'manifest' && isCertifiableHost(route.host, input.defaultDomain) && !routed.has(route.host))
      routed.set(route.host, route);
  const added: DomainRecord[] = [];
  for (const [host, route] of routed) {
    if (byHost.has(host)) continue;
    const app = input.apps.get(route.appId);
    if (app === undefined) continue;
    added.push({
      host,
      projectId: app.projectId,
      appId: app.id,
      environmentId: route.environmentId,
      origin: 'route',
      verification: input.claims.get(host)?.origin === 'granted' ? 'grant' : 'pending',
      state: 'pending',
      certificate: null,
      lastError: null,
      failures: 0,
      nextAttemptAtMs: 0,
      expiryNotifiedAtMs: null,
      httpsRedirect: 'default',
      hstsMaxAgeSeconds: null,
      createdAtMs: input.nowMs,
    });
  }
  const removed = input.domains.filter((d) => d.origin === 'route' && !routed.has(d.host)).map((d) => d.host);
  return { added, removed };
}

/** How the server serves domains with a certificate (`CoreSettings.domainHttps`). */
export interface DomainHttpsSettings {
  /** The redirect's port when the server redirects by default (`--https-redirect on`). */
  readonly redirectPort?: number;
  /** The public HTTPS port, known whenever the edge serves TLS: what a domain set to `on` redirects to. */
  readonly httpsPort?: number;
  /** The server's HSTS header value (`--hsts-max-age`). */
  readonly hsts?: string;
}

/**
 * The hosts served over HTTPS with a valid certificate of their own, with what their routes carry: the redirect of
 * plain HTTP (the domain's `httpsRedirect`, `default` following the server) and HSTS (the domain's max-age, 0 none,
 * null the server's). A host without a certificate gets neither: a redirect or HSTS before the certificate would
 * take the site down.
 */
export function httpsHostsOf(
  domains: readonly DomainRecord[],
  settings: DomainHttpsSettings | undefined,
  nowMs: number,
): Map<string, { httpsRedirectPort?: number; hsts?: string }> {
  const hosts = new Map<string, { httpsRedirectPort?: number; hsts?: string }>();
  for (const domain of domains) {
    if (domain.certificate === null || domain.certificate.notAfterMs <= nowMs) continue;
    const port = redirectPortOf(domain, settings);
    const hsts =
      domain.hstsMaxAgeSeconds === null
        ? settings?.hsts
        : domain.hstsMaxAgeSeconds > 0
          ? `max-age=${domain.hstsMaxAgeSeconds}`
          : undefined;
    if (port === undefined && hsts === undefined) continue;
    hosts.set(domain.host, {
      ...(port === undefined ? {} : { httpsRedirectPort: port }),
      ...(hsts === undefined ? {} : { hsts }),
    });
  }
  return hosts;
}

function redirectPortOf(domain: DomainRecord, settings: DomainHttpsSettings | undefined): number | undefined {
  if (domain.httpsRedirect === 'off') return undefined;
  if (domain.httpsRedirect === 'default') return settings?.redirectPort;
  return settings?.redirectPort ?? settings?.httpsPort;
}
