/**
 * Builds the edge's routing table from routes and healthy instances; only healthy, non-draining instances take
 * traffic. The routes of an app in maintenance, or stopped, carry the maintenance page the edge answers with instead.
 */
import type { ColdStartHold, RouteEntry, RouteSplit, RoutingTable, Upstream } from '@slipway/contract';
import type { DesiredStateRecord } from '../delivery/rollout-model.js';
import { isPreviewEnvironment } from '../git/preview-hosts.js';
import type {
  AppEnvironmentRecord,
  AppRecord,
  EnvironmentRecord,
  InstanceRecord,
  MaintenanceSettings,
  ReleaseRecord,
  RouteRecord,
} from '../domain/records.js';

/** What a stopped app's routes answer when no maintenance page was set: the edge's own, retried after a minute. */
export const stoppedMaintenance: MaintenanceSettings = { retryAfterSeconds: 60, page: null };

export interface RoutingInputs {
  routes: readonly RouteRecord[];
  instances: readonly InstanceRecord[];
  apps: ReadonlyMap<string, AppRecord>;
  environments: ReadonlyMap<string, EnvironmentRecord>;
  releases: ReadonlyMap<string, Pick<ReleaseRecord, 'number'>>;
  /** Absent: no app is in maintenance. */
  appEnvironments?: readonly AppEnvironmentRecord[];
  /** Desired states by app environment: per-release weights, matches and previews. Absent: none. */
  desiredStates?: readonly DesiredStateRecord[];
  /** The domain default routes are under: a preview target answers on `<app>--preview.<it>` too. */
  defaultDomain?: string;
  /** Hosts served over HTTPS with a certificate of their own: their redirect port and HSTS value, if any. */
  httpsHosts?: ReadonlyMap<string, { readonly httpsRedirectPort?: number; readonly hsts?: string }>;
  /** Process types that scale to zero, by `appId/environmentId/process`: their routes hold requests while cold. */
  coldStarts?: ReadonlyMap<string, ColdStartHold>;
}

/**
 * The split of a route's traffic by release, when the desired state asks for one: more than one release takes a
 * share by exact weight, or one has matches. Weights by instance count (rolling, recreate) ask for none.
 */
export function splitOf(desired: DesiredStateRecord | undefined): RouteSplit | undefined {
  if (desired === undefined || desired.targets.length === 0) return undefined;
  if (desired.targets.some((t) => t.weight === null)) return undefined;
  const sharing = desired.targets.filter((t) => (t.weight ?? 0) > 0).length;
  const isMatched = desired.targets.some((t) => t.matches.length > 0);
  if (sharing <= 1 && !isMatched) return undefined;
  return {
    releases: desired.targets.map((t) => ({
      releaseNumber: t.releaseNumber,
      weight: t.weight ?? 0,
      ...(t.matches.length > 0 ? { matches: t.matches } : {}),
    })),
    stickyCookie: desired.stickyCookie,
  };
}

/** `hello.example.com` → `hello--preview.example.com`: the preview host of a default route. */
export function previewHost(host: string, defaultDomain: string): string | undefined {
  const suffix = `.${defaultDomain}`;
  if (!host.endsWith(suffix)) return undefined;
  return `${host.slice(0, -suffix.length)}--preview${suffix}`;
}

export function buildRoutingTable(inputs: RoutingInputs): RoutingTable {
  const routes: RouteEntry[] = [];
  const maintenanceOf = new Map<string, MaintenanceSettings>();
  for (const appEnvironment of inputs.appEnvironments ?? []) {
    const settings =
      appEnvironment.maintenance ?? (appEnvironment.runState === 'stopped' ? stoppedMaintenance : undefined);
    if (settings !== undefined) maintenanceOf.set(`${appEnvironment.appId}/${appEnvironment.environmentId}`, settings);
  }
  const desiredOf = new Map((inputs.desiredStates ?? []).map((d) => [`${d.appId}/${d.environmentId}`, d]));
  for (const route of inputs.routes) {
    const app = inputs.apps.get(route.appId);
    const environment = inputs.environments.get(route.environmentId);
    if (!app || !environment) continue;
    const desired = desiredOf.get(`${route.appId}/${route.environmentId}`);
    // A release the desired state gives no share of the weights takes no request that matches nothing.
    const weightOf = (releaseNumber: number): number => {
      const target = desired?.targets.find((t) => t.releaseNumber === releaseNumber);
      return target?.weight === 0 && target.matches.length === 0 ? 0 : 1;
    };
    const upstreams: Upstream[] = inputs.instances
      .filter(
        (i) =>
          i.appId === route.appId &&
          i.environmentId === route.environmentId &&
          i.process === route.process &&
          i.state === 'healthy' &&
          i.host !== null &&
          i.port !== null,
      )
      .map((i) => ({
        instanceId: i.id,
        host: i.host ?? '127.0.0.1',
        port: i.port ?? 0,
        releaseNumber: inputs.releases.get(i.releaseId)?.number ?? 0,
        weight: 1,
      }))
      .map((u) => ({ ...u, weight: weightOf(u.releaseNumber) }));
    const maintenance = maintenanceOf.get(`${route.appId}/${route.environmentId}`);
    const split = splitOf(desired);
    const coldStart = inputs.coldStarts?.get(`${route.appId}/${route.environmentId}/${route.process}`);
    const entry: RouteEntry = {
      ...(maintenance === undefined ? {} : { maintenance }),
      host: route.host,
      pathPrefix: route.pathPrefix,
      app: app.name,
      environment: environment.name,
      process: route.process,
      timeoutMs: route.timeoutMs,
      upstreams,
      ...(split === undefined ? {} : { split }),
      ...(isPreviewEnvironment(environment.name) ? { isNoindex: true } : {}),
      ...inputs.httpsHosts?.get(route.host),
      ...(coldStart === undefined ? {} : { coldStart }),
    };
    routes.push(entry);
    // The preview route: only the preview release's upstreams, every one taking its share.
    const preview = desired?.targets.find((t) => t.isPreview);
    const host =
      preview === undefined || route.origin !== 'default' || inputs.defaultDomain === undefined
        ? undefined
        : previewHost(route.host, inputs.defaultDomain);
    if (preview !== undefined && host !== undefined) {
      const { split: _split, ...unsplit } = entry;
      routes.push({
        ...unsplit,
        host,
        upstreams: upstreams.filter((u) => u.releaseNumber === preview.releaseNumber).map((u) => ({ ...u, weight: 1 })),
      });
    }
  }
  routes.sort((a, b) => a.host.localeCompare(b.host) || b.pathPrefix.length - a.pathPrefix.length);
  return { routes };
}
