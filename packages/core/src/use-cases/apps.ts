/** Use cases for projects and apps: create, list, describe, delete. */
import { SlipwayError, type AppView, type ProjectView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import type { AppRecord, ProjectRecord } from '../domain/records.js';
import { claimHost } from '../domain/host-ownership.js';
import { resolveProcesses } from '../domain/process-plan.js';
import { defaultHost } from '../deployment/release-routes.js';
import type { Repositories } from '../ports/store.js';
import { isCrashLooping } from './crash-loop.js';
import { getApp } from './lookups.js';

const defaultEnvironment = 'production';

const projectView = (p: ProjectRecord): ProjectView => ({
  id: p.id,
  name: p.name,
  createdAt: new Date(p.createdAtMs).toISOString(),
});

/** Creates the project with a `production` environment if it does not exist. Idempotent. */
export async function ensureProject(
  deps: Pick<CoreDeps, 'ids' | 'clock'>,
  tx: Repositories,
  name: string,
): Promise<ProjectRecord> {
  const existing = await tx.projects.findByName(name);
  if (existing) return existing;
  const now = deps.clock.nowMs();
  const project: ProjectRecord = { id: deps.ids.next('prj'), name, createdAtMs: now };
  await tx.projects.insert(project);
  await tx.environments.insert({
    id: deps.ids.next('env'),
    projectId: project.id,
    name: defaultEnvironment,
    createdAtMs: now,
  });
  return project;
}

export async function createProject(deps: CoreDeps, name: string): Promise<ProjectView> {
  return deps.store.transaction(async (tx) => {
    if (await tx.projects.findByName(name)) {
      throw new SlipwayError('VALIDATION_FAILED', `a project named "${name}" exists already`, { details: { name } });
    }
    return projectView(await ensureProject(deps, tx, name));
  });
}

export async function listProjects(deps: CoreDeps): Promise<ProjectView[]> {
  return (await deps.store.projects.list()).map(projectView);
}

export async function createApp(deps: CoreDeps, input: { name: string; project: string }): Promise<AppView> {
  const app = await deps.store.transaction(async (tx) => {
    const project = await ensureProject(deps, tx, input.project);
    if (await tx.apps.findByName(input.name)) {
      throw new SlipwayError('APP_ALREADY_EXISTS', `an app named "${input.name}" exists already`, {
        details: { app: input.name },
      });
    }
    const now = deps.clock.nowMs();
    const record: AppRecord = { id: deps.ids.next('app'), projectId: project.id, name: input.name, createdAtMs: now };
    await tx.apps.insert(record);
    for (const environment of await tx.environments.listByProject(project.id)) {
      // The app's own host is its project's from now on: nobody else can route on it before its first deploy.
      const host = defaultHost(record, environment, deps.settings);
      await claimHost(
        tx,
        deps.settings,
        { host, projectId: project.id, kind: 'default', appId: record.id },
        'claim',
        now,
      );
      await tx.appEnvironments.insert({
        appId: record.id,
        environmentId: environment.id,
        currentReleaseId: null,
        scale: {},
        config: {},
        runState: 'running',
        maintenance: null,
        version: 1,
        updatedAtMs: now,
      });
    }
    return record;
  });
  deps.logger.info({ app: app.name }, 'app created');
  return describeApp(deps, app);
}

export async function describeApp(deps: CoreDeps, app: AppRecord): Promise<AppView> {
  const project = await deps.store.projects.findById(app.projectId);
  const environments: AppView['environments'] = [];
  for (const appEnvironment of await deps.store.appEnvironments.listByApp(app.id)) {
    const environment = await deps.store.environments.findById(appEnvironment.environmentId);
    if (!environment) continue;
    const release = appEnvironment.currentReleaseId
      ? await deps.store.releases.findById(appEnvironment.currentReleaseId)
      : undefined;
    const instances = await deps.store.instances.list({ appId: app.id, environmentId: environment.id });
    const live = instances.filter((i) => i.state !== 'draining' && i.state !== 'stopping' && i.state !== 'stopped');
    const scale = release
      ? Object.fromEntries(
          resolveProcesses(release.processes, release.manifest, appEnvironment.scale).map((p) => [p.name, p.replicas]),
        )
      : appEnvironment.scale;
    environments.push({
      name: environment.name,
      currentRelease: release?.number ?? null,
      scale,
      routes: (await deps.store.routes.listByApp(app.id, environment.id)).map((r) => ({
        host: r.host,
        path: r.pathPrefix,
        process: r.process,
      })),
      instances: {
        total: live.length,
        healthy: live.filter((i) => i.state === 'healthy').length,
        crashLooping: live.filter((i) => isCrashLooping(i, deps.settings)).length,
      },
    });
  }
  return {
    id: app.id,
    name: app.name,
    project: project?.name ?? '',
    createdAt: new Date(app.createdAtMs).toISOString(),
    environments,
  };
}

export async function listApps(deps: CoreDeps): Promise<AppView[]> {
  const apps = await deps.store.apps.list();
  return Promise.all(apps.map((app) => describeApp(deps, app)));
}

export async function getAppView(deps: CoreDeps, name: string): Promise<AppView> {
  return describeApp(deps, await getApp(deps.store, name));
}

/** Refuses while a deployment runs; otherwise retires every instance, then deletes the app, its releases and artifacts. */
export async function deleteApp(deps: CoreDeps, fleet: Fleet, name: string): Promise<void> {
  const app = await getApp(deps.store, name);
  await assertNoActiveDeployment(deps.store, app.id, name);
  // Routes go first so the edge stops sending traffic, then instances, then records.
  for (const appEnvironment of await deps.store.appEnvironments.listByApp(app.id)) {
    await deps.store.routes.replaceForApp(app.id, appEnvironment.environmentId, []);
  }
  await fleet.router.sync(true);
  const instances = await deps.store.instances.list({ appId: app.id });
  await Promise.all(instances.map((i) => fleet.retireInstance(i.id)));
  const artifactDirs = new Set<string>();
  for (const appEnvironment of await deps.store.appEnvironments.listByApp(app.id)) {
    for (const release of await deps.store.releases.list(app.id, appEnvironment.environmentId))
      artifactDirs.add(release.artifactDir);
  }
  // Checked again in the transaction that deletes: a deployment requested meanwhile (an upload accepted while the
  // instances were retired) either committed before, and the deletion is refused, or finds no app and is refused.
  await deps.store.transaction(async (tx) => {
    await assertNoActiveDeployment(tx, app.id, name);
    await tx.apps.delete(app.id);
  });
  for (const dir of artifactDirs) await deps.artifacts.deleteArtifact(dir);
  deps.logger.info({ app: name }, 'app deleted');
}

async function assertNoActiveDeployment(repositories: Repositories, appId: string, name: string): Promise<void> {
  for (const appEnvironment of await repositories.appEnvironments.listByApp(appId)) {
    const active = await repositories.deployments.findActive(appId, appEnvironment.environmentId);
    if (active) {
      throw new SlipwayError(
        'DEPLOYMENT_IN_PROGRESS',
        `deployment ${active.id} of "${name}" is running; wait for it to finish before deleting the app`,
        { details: { deploymentId: active.id } },
      );
    }
  }
}
