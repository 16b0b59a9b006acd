/**
 * The routes a release gets: the default `<app>.<domain>` route to `web`, plus the manifest's routes. A preview
 * environment (`pr-<n>`) answers on its preview host and its commit's alias only: never on the manifest's hosts, which
 * are production's.
 */
import { normaliseRoutePath } from '@slipway/contract';
import type { CoreSettings } from '../core-deps.js';
import { previewAliasHost, previewHost, previewNumberOf } from '../git/preview-hosts.js';
import type { AppRecord, EnvironmentRecord, ReleaseRecord, RouteRecord } from '../domain/records.js';
import type { IdGenerator } from '../ports/id-generator.js';

export function defaultHost(
  app: Pick<AppRecord, 'name'>,
  environment: Pick<EnvironmentRecord, 'name'>,
  settings: Pick<CoreSettings, 'defaultDomain' | 'previewDomain'>,
): string {
  const previewNumber = previewNumberOf(environment.name);
  if (previewNumber !== undefined) {
    return previewHost(app.name, previewNumber, settings.previewDomain ?? settings.defaultDomain);
  }
  const label = environment.name === 'production' ? app.name : `${app.name}-${environment.name}`;
  return `${label}.${settings.defaultDomain}`;
}

export function releaseRoutes(
  app: AppRecord,
  environment: EnvironmentRecord,
  release: ReleaseRecord,
  settings: Pick<CoreSettings, 'defaultDomain' | 'previewDomain'>,
  ids: IdGenerator,
): RouteRecord[] {
  const previewNumber = previewNumberOf(environment.name);
  if (previewNumber !== undefined) return previewRoutes(app, environment, release, settings, ids, previewNumber);
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

function previewRoutes(
  app: AppRecord,
  environment: EnvironmentRecord,
  release: ReleaseRecord,
  settings: Pick<CoreSettings, 'defaultDomain' | 'previewDomain'>,
  ids: IdGenerator,
  previewNumber: number,
): RouteRecord[] {
  if (!release.processes.web) return [];
  const domain = settings.previewDomain ?? settings.defaultDomain;
  const hosts = [previewHost(app.name, previewNumber, domain)];
  const commit = release.source.kind === 'git' ? release.source.commit : undefined;
  if (commit !== undefined && /^[0-9a-f]{7,}$/.test(commit)) {
    hosts.push(previewAliasHost(app.name, previewNumber, commit, domain));
  }
  return hosts.map((host) => ({
    appId: app.id,
    environmentId: environment.id,
    id: ids.next('rte'),
    host,
    pathPrefix: '/',
    process: 'web',
    timeoutMs: null,
    // Both are computed from the app's own name: the app's to claim, as its default host is.
    origin: 'default' as const,
  }));
}
