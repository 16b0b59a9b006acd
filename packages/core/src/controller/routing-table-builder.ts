/**
 * Builds the edge's routing table from routes and healthy instances; only healthy, non-draining instances take
 * traffic. The routes of an app in maintenance, or stopped, carry the maintenance page the edge answers with instead.
 */
import type { RouteEntry, RoutingTable } from '@slipway/contract';
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
}

export function buildRoutingTable(inputs: RoutingInputs): RoutingTable {
  const routes: RouteEntry[] = [];
  const maintenanceOf = new Map<string, MaintenanceSettings>();
  for (const appEnvironment of inputs.appEnvironments ?? []) {
    const settings =
      appEnvironment.maintenance ?? (appEnvironment.runState === 'stopped' ? stoppedMaintenance : undefined);
    if (settings !== undefined) maintenanceOf.set(`${appEnvironment.appId}/${appEnvironment.environmentId}`, settings);
  }
  for (const route of inputs.routes) {
    const app = inputs.apps.get(route.appId);
    const environment = inputs.environments.get(route.environmentId);
    if (!app || !environment) continue;
    const upstreams = inputs.instances
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
      }));
    const maintenance = maintenanceOf.get(`${route.appId}/${route.environmentId}`);
    routes.push({
      ...(maintenance === undefined ? {} : { maintenance }),
      host: route.host,
      pathPrefix: route.pathPrefix,
      app: app.name,
      environment: environment.name,
      process: route.process,
      timeoutMs: route.timeoutMs,
      upstreams,
    });
  }
  routes.sort((a, b) => a.host.localeCompare(b.host) || b.pathPrefix.length - a.pathPrefix.length);
  return { routes };
}
