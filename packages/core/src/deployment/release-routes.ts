/** The routes a release gets: the default `<app>.<domain>` route to `web`, plus the manifest's routes. */
import { normaliseRoutePath } from '@slipway/contract';
import type { CoreSettings } from '../core-deps.js';
import type { AppRecord, EnvironmentRecord, ReleaseRecord, RouteRecord } from '../domain/records.js';
import type { IdGenerator } from '../ports/id-generator.js';

export function defaultHost(
  app: Pick<AppRecord, 'name'>,
  environment: Pick<EnvironmentRecord, 'name'>,
  settings: Pick<CoreSettings, 'defaultDomain'>,
): string {
  const label = environment.name === 'production' ? app.name : `${app.name}-${environment.name}`;
  return `${label}.${settings.defaultDomain}`;
}

export function releaseRoutes(
  app: AppRecord,
  environment: EnvironmentRecord,
  release: ReleaseRecord,
  settings: Pick<CoreSettings, 'defaultDomain'>,
  ids: IdGenerator,
): RouteRecord[] {
  const base = { appId: app.id, environmentId: environment.id };
  const routes: RouteRecord[] = [];
  if (release.processes.web) {
    routes.push({
      ...base,
      id: ids.next('rte'),
      host: defaultHost(app, environment, settings),
      pathPrefix: '/',
      process: 'web',
      timeoutMs: null,
      origin: 'default',
    });
  }
  for (const spec of release.manifest.routes ?? []) {
    if (!release.processes[spec.process]) continue;
    routes.push({
      ...base,
      id: ids.next('rte'),
      host: spec.host,
      // Normalised again: a release made before paths were normalised at validation may hold `//`.
      pathPrefix: normaliseRoutePath(spec.path),
      process: spec.process,
      timeoutMs: spec.timeoutSeconds === undefined ? null : spec.timeoutSeconds * 1000,
      origin: 'manifest',
    });
  }
  return routes;
}
