/** Finds the route for a request: exact host, then `*.suffix` wildcards, then the longest path prefix on a segment boundary. */
import type { ColdStartHold, RouteEntry, RoutingTable, Upstream } from '@slipway/contract';
import type { ColdCounters } from './cold-start-metrics.js';
import { maintenanceAnswer, type MaintenanceAnswer } from './maintenance-response.js';
import type { Counters, TrafficMetrics } from './traffic-metrics.js';
import { createTrafficSplit, type ReleaseLane, type TrafficSplit } from './traffic-split.js';
import { createUpstreamPicker, type UpstreamPicker } from './upstream-picker.js';
import type { UpstreamSlot } from './upstream-pool.js';

export const defaultRouteTimeoutMs = 60_000;

export interface UpstreamTarget {
  readonly upstream: Upstream;
  readonly weight: number;
  /** The upstream instance's agent and counters, shared by every route listing it and across table updates. */
  readonly slot: UpstreamSlot;
  /** Counters of the release this upstream serves. */
  readonly releaseCounters: Counters;
}

export interface RouteTarget {
  readonly route: RouteEntry;
  /** The path prefix without its trailing slash (`/` stays `/`). */
  readonly pathPrefix: string;
  readonly timeoutMs: number;
  readonly upstreams: UpstreamPicker<UpstreamTarget>;
  /** Set while the route's traffic is split by release: it chooses the release, then its upstream. */
  readonly split: TrafficSplit | undefined;
  readonly counters: Counters;
  /** Set while the app is in maintenance: the router answers every request of the route with it. */
  readonly maintenance: MaintenanceAnswer | undefined;
  /** A preview's route: responses carry `X-Robots-Tag: noindex`. */
  readonly isNoindex: boolean;
  /** Plain HTTP requests are redirected to HTTPS on this port (a custom domain with a certificate). */
  readonly httpsRedirectPort: number | undefined;
  /** `Strict-Transport-Security: …\r\n`, built once, for responses over HTTPS; undefined: none. */
  readonly hstsField: string | undefined;
  /** Set on a wakeable route (scale to zero): without an upstream its requests are held, with these counters. */
  readonly coldStart: { readonly hold: ColdStartHold; readonly counters: ColdCounters } | undefined;
}

/** What the traffic handlers read on every request; the table update swaps `routes` whole. */
export interface RoutingState {
  routes: RouteIndex;
  /** Set on shutdown: responses then carry `Connection: close` so keep-alive clients go away. */
  isClosing: boolean;
  /** HTTP-01 key authorizations by token while ACME challenges are under way; undefined otherwise. */
  acmeHttp01?: ReadonlyMap<string, string> | undefined;
  /** The counters of requests no route matched. */
  readonly unrouted: Counters;
}

export interface RouteIndex {
  /** `host` must already be normalised by `hostFromHeader`; `path` excludes the query string. */
  find(host: string, path: string): RouteTarget | undefined;
  readonly routeCount: number;
}

/** Builds the lookup structure once per table so a request costs a few Map lookups and no regex. */
export function createRouteIndex(
  table: RoutingTable,
  slotFor: (upstream: Upstream) => UpstreamSlot,
  metrics: Pick<TrafficMetrics, 'routeCounters' | 'releaseCounters' | 'coldCounters'>,
): RouteIndex {
  const exact = new Map<string, RouteTarget[]>();
  const wildcard = new Map<string, RouteTarget[]>();

  for (const route of table.routes) {
    const targets = route.upstreams.map((upstream) => ({
      upstream,
      weight: upstream.weight,
      slot: slotFor(upstream),
      releaseCounters: metrics.releaseCounters(route, upstream),
    }));
    const target: RouteTarget = {
      route,
      pathPrefix: trimTrailingSlashes(route.pathPrefix),
      timeoutMs: route.timeoutMs ?? defaultRouteTimeoutMs,
      upstreams: createUpstreamPicker(targets),
      split: route.split === undefined ? undefined : createTrafficSplit(route.split, targets),
      counters: metrics.routeCounters(route),
      maintenance: route.maintenance === undefined ? undefined : maintenanceAnswer(route.maintenance, route.app),
      isNoindex: route.isNoindex === true,
      httpsRedirectPort: route.httpsRedirectPort,
      hstsField: route.hsts === undefined ? undefined : `Strict-Transport-Security: ${route.hsts}\r\n`,
      coldStart:
        route.coldStart === undefined ? undefined : { hold: route.coldStart, counters: metrics.coldCounters(route) },
    };
    const host = normaliseHost(route.host);
    const [map, key] = host.startsWith('*.') ? [wildcard, host.slice(2)] : [exact, host];
    const list = map.get(key);
    if (list === undefined) map.set(key, [target]);
    else list.push(target);
  }
  // Longest prefix first; Array.prototype.sort is stable, so among equal prefixes the first route in the table wins.
  for (const list of [...exact.values(), ...wildcard.values()])
    list.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);

  function find(host: string, path: string): RouteTarget | undefined {
    const routes = exact.get(host);
    if (routes !== undefined) {
      const found = matchPath(routes, path);
      if (found !== undefined) return found;
    }
    if (wildcard.size === 0) return undefined;
    // `*.example.com` serves `a.example.com` and `a.b.example.com`; the most specific wildcard wins.
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const candidates = wildcard.get(host.slice(dot + 1));
      if (candidates === undefined) continue;
      const found = matchPath(candidates, path);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  return { find, routeCount: table.routes.length };
}

/** The upstream a request goes to after `excluded` failed: another of the route's, or of the release `lane` first. */
export function retryTarget(
  target: RouteTarget,
  lane: ReleaseLane | undefined,
  excluded: UpstreamTarget,
): UpstreamTarget | undefined {
  if (target.split === undefined || lane === undefined) return target.upstreams.pick(excluded);
  return target.split.retry(lane, excluded);
}

function matchPath(routes: readonly RouteTarget[], path: string): RouteTarget | undefined {
  for (const target of routes) {
    if (isPrefixOnSegment(target.pathPrefix, path)) return target;
  }
  return undefined;
}

/** `/api` matches `/api` and `/api/x` but not `/apix`; `/` matches everything. */
export function isPrefixOnSegment(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 47; // '/'
}

/** The Host header lowercased, without its port and trailing dot; `''` when absent. */
export function hostFromHeader(header: string | undefined): string {
  if (header === undefined) return '';
  let end = header.length;
  if (header.startsWith('[')) {
    const close = header.indexOf(']');
    if (close !== -1) end = close + 1;
  } else {
    const colon = header.indexOf(':');
    if (colon !== -1) end = colon;
  }
  return normaliseHost(header.slice(0, end));
}

/** The path part of a request target, without query string or fragment. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  const hash = url.indexOf('#');
  const end = query === -1 ? hash : hash === -1 ? query : Math.min(query, hash);
  return end === -1 ? url : url.slice(0, end);
}

function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function trimTrailingSlashes(prefix: string): string {
  let end = prefix.length;
  while (end > 1 && prefix.charCodeAt(end - 1) === 47) end -= 1;
  return prefix.slice(0, end);
}
