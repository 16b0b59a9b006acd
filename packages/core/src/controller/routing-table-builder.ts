/** Builds the edge's routing table from routes and healthy instances; only healthy, non-draining instances take traffic. */
import type { RouteEntry, RoutingTable } from '@slipway/contract';
import type { AppRecord, EnvironmentRecord, InstanceRecord, ReleaseRecord, RouteRecord } from '../domain/records.js';

export interface RoutingInputs {
  routes: readonly RouteRecord[];
  instances: readonly InstanceRecord[];
  apps: ReadonlyMap<string, AppRecord>;
  environments: ReadonlyMap<string, EnvironmentRecord>;
  releases: ReadonlyMap<string, Pick<ReleaseRecord, 'number'>>;
}

export function buildRoutingTable(inputs: RoutingInputs): RoutingTable {
  const routes: RouteEntry[] = [];
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
    routes.push({
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
