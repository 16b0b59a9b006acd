/**
 * What the live stream's `app:<app>` topic carries: a cheap probe of one app environment (its overview row and the
 * records that move it), read on every pass, and the full view (instances, newest deployments and releases), read
 * only when the probe moved.
 */
import type { AppOverviewRow, DeploymentView, InstanceView, ReleaseView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { appOverviewRowOf, type AppsOverviewDeps } from './apps-overview.js';
import { viewDeployment } from './deployments.js';
import { getAppScope } from './lookups.js';
import { releaseHistoryDeployments, releaseHistoryViews } from './release-history-views.js';
import { instanceView } from './views.js';

/** Deployments and releases the view holds at most, newest first. */
export const appLiveViewItems = 10;

export interface AppLiveProbe {
  readonly row: AppOverviewRow;
  /** Moves whenever anything the full view shows moves (instances, the app environment, the newest deployment). */
  readonly digest: string;
}

/** Errors: `APP_NOT_FOUND`, `ENVIRONMENT_NOT_FOUND`. */
export async function readAppLiveProbe(
  deps: AppsOverviewDeps,
  input: { app: string; environment: string },
): Promise<AppLiveProbe> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const [instances, deployments] = await Promise.all([
    deps.store.instances.list({ appId: scope.app.id, environmentId: scope.environment.id }),
    deps.store.deployments.list(scope.app.id, scope.environment.id, 1),
  ]);
  const releaseId = scope.appEnvironment.currentReleaseId;
  const release = releaseId === null ? undefined : (await deps.releases.load(deps, [releaseId])).get(releaseId);
  const last = deployments[0];
  const row = appOverviewRowOf(deps, deps.clock.nowMs(), {
    name: scope.app.name,
    appEnvironment: scope.appEnvironment,
    release,
    instances,
    lastDeployment: last,
  });
  const { observedAt: _observedAt, ...judged } = row;
  const digest = JSON.stringify([
    judged,
    scope.appEnvironment.version,
    scope.appEnvironment.updatedAtMs,
    last === undefined ? null : [last.id, last.state, last.phase, last.updatedAtMs],
    instances.map((i) => [i.id, i.state, i.restarts, i.port, i.pid, i.updatedAtMs]),
  ]);
  return { row, digest };
}

export interface AppLiveView {
  readonly instances: InstanceView[];
  readonly deployments: DeploymentView[];
  readonly releases: ReleaseView[];
}

/** Instances as records hold them (no usage, no crash-loop report: `GET …/instances` reads those). Errors: as the probe. */
export async function readAppLiveView(
  deps: CoreDeps,
  input: { app: string; environment: string },
): Promise<AppLiveView> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const names = { app: scope.app.name, environment: scope.environment.name };
  const [instances, deployments, releases] = await Promise.all([
    deps.store.instances.list({ appId: scope.app.id, environmentId: scope.environment.id }),
    deps.store.deployments.list(scope.app.id, scope.environment.id, releaseHistoryDeployments(appLiveViewItems)),
    deps.store.releases.list(scope.app.id, scope.environment.id),
  ]);
  const numbers = new Map(releases.map((r) => [r.id, r.number]));
  return {
    instances: instances.map((i) => instanceView(i, names, numbers.get(i.releaseId) ?? 0)),
    deployments: await Promise.all(deployments.slice(0, appLiveViewItems).map((d) => viewDeployment(deps, d))),
    releases: releaseHistoryViews(releases, deployments, names, scope.appEnvironment.currentReleaseId).slice(
      0,
      appLiveViewItems,
    ),
  };
}
