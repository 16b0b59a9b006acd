/**
 * The apps part of the control plane's status: one row per app environment the caller may read, with its current
 * release, where its web (or first) process runs and under which limits, its live instances and its last deployment.
 * Projects, apps, app environments, environments and instances are each read once, whatever the number of apps; each
 * row then reads its current release and its last deployment.
 */
import type { StatusView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { EnvironmentRecord, InstanceRecord } from '../domain/records.js';
import { resolveRuntimePlan } from '../domain/runtime-plan.js';
import { releaseCommandName } from '../domain/process-plan.js';
import { isCrashLooping } from './crash-loop.js';

export type AppStatus = StatusView['apps'][number];

/** Rows ordered by app name, then by environment as stored; only apps of projects `canSeeProject` accepts (by id). */
export async function listAppStatuses(
  deps: Pick<CoreDeps, 'store' | 'settings'>,
  canSeeProject: (projectId: string) => boolean,
): Promise<AppStatus[]> {
  const { store } = deps;
  const apps = (await store.apps.list()).filter((app) => canSeeProject(app.projectId));
  if (apps.length === 0) return [];
  const projectIds = [...new Set(apps.map((app) => app.projectId))];
  const environments = new Map<string, EnvironmentRecord>();
  for (const projectId of projectIds) {
    for (const environment of await store.environments.listByProject(projectId)) {
      environments.set(environment.id, environment);
    }
  }
  const appEnvironments = await store.appEnvironments.list();
  const instances = groupBy(await store.instances.list(), (i) => `${i.appId}/${i.environmentId}`);

  const rows: AppStatus[] = [];
  for (const app of apps) {
    for (const appEnvironment of appEnvironments.filter((ae) => ae.appId === app.id)) {
      const environment = environments.get(appEnvironment.environmentId);
      if (environment === undefined) continue;
      const [release, last] = await Promise.all([
        appEnvironment.currentReleaseId === null ? undefined : store.releases.findById(appEnvironment.currentReleaseId),
        store.deployments.list(app.id, environment.id, 1).then((list) => list[0]),
      ]);
      const process = release
        ? (Object.keys(release.processes)
            .filter((name) => name !== releaseCommandName)
            .sort(webFirst)[0] ?? 'web')
        : 'web';
      const plan = release ? resolveRuntimePlan(release, environment.name, process) : undefined;
      const live = (instances.get(`${app.id}/${environment.id}`) ?? []).filter(
        (i) => i.state !== 'draining' && i.state !== 'stopping' && i.state !== 'stopped',
      );
      rows.push({
        name: app.name,
        environment: environment.name,
        currentRelease: release?.number ?? null,
        runtime: plan?.runtime ?? null,
        limits: plan?.limits ?? null,
        instances: {
          total: live.length,
          healthy: live.filter((i) => i.state === 'healthy').length,
          crashLooping: live.filter((i) => isCrashLooping(i, deps.settings)).length,
        },
        lastDeployment: last ? { id: last.id, state: last.state } : null,
      });
    }
  }
  return rows;
}

function groupBy(
  instances: readonly InstanceRecord[],
  key: (i: InstanceRecord) => string,
): Map<string, InstanceRecord[]> {
  const groups = new Map<string, InstanceRecord[]>();
  for (const instance of instances) {
    const name = key(instance);
    groups.set(name, [...(groups.get(name) ?? []), instance]);
  }
  return groups;
}

/** `web` first, then the others by name: the process a status row speaks for. */
function webFirst(a: string, b: string): number {
  return a === 'web' ? -1 : b === 'web' ? 1 : a.localeCompare(b);
}
