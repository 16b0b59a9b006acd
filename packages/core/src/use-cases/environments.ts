/**
 * Environments of an app as first-class objects: create (its own config, secrets, scale, routes — its default host
 * `<app>-<env>.<domain>` — strategy override and approval policy), list, delete; and the strategy override the
 * rollout engine reads through `resolveEnvironmentStrategy`.
 */
import { SlipwayError, strategySchema, type EnvironmentView, type Strategy } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import { claimHost } from '../domain/host-ownership.js';
import { resolveEnvironmentStrategy } from '../delivery/environment-strategy.js';
import type { AppEnvironmentRecord, AppRecord, EnvironmentRecord } from '../domain/records.js';
import { defaultHost } from '../deployment/release-routes.js';
import type { Repositories } from '../ports/store.js';
import { getApp, getAppScope } from './lookups.js';

const maxHostLabelLength = 63;
const retiringStates: readonly string[] = ['draining', 'stopping', 'stopped'];

/**
 * Creates environment `environment` of `app`: the project's environment of that name (made when missing) and the
 * app's own settings in it, with its default host claimed for the app's project. Errors: `APP_NOT_FOUND`,
 * `ENVIRONMENT_ALREADY_EXISTS`, `VALIDATION_FAILED` (a default host label over 63 characters), `HOST_TAKEN`.
 */
export async function createEnvironment(
  deps: CoreDeps,
  input: { app: string; environment: string },
): Promise<EnvironmentView> {
  const created = await deps.store.transaction(async (tx) => {
    const app = await getApp(tx, input.app);
    const now = deps.clock.nowMs();
    let environment = await tx.environments.find(app.projectId, input.environment);
    if (environment && (await tx.appEnvironments.find(app.id, environment.id))) {
      throw new SlipwayError(
        'ENVIRONMENT_ALREADY_EXISTS',
        `app "${app.name}" has an environment "${input.environment}" already`,
        { details: { app: app.name, environment: input.environment } },
      );
    }
    const host = defaultHost(app, { name: input.environment }, deps.settings);
    const label = host.split('.')[0] ?? '';
    if (label.length > maxHostLabelLength) {
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `the default host label "${label}" would be longer than ${maxHostLabelLength} characters; choose a shorter environment name`,
        { details: { host } },
      );
    }
    if (!environment) {
      environment = { id: deps.ids.next('env'), projectId: app.projectId, name: input.environment, createdAtMs: now };
      await tx.environments.insert(environment);
    }
    const claim = await claimHost(
      tx,
      deps.settings,
      { host, projectId: app.projectId, kind: 'default', appId: app.id },
      'claim',
      now,
    );
    if (claim?.appId !== null && claim?.appId !== undefined && claim.appId !== app.id) {
      throw new SlipwayError('HOST_TAKEN', `host "${host}" is the default host of another app`, { details: { host } });
    }
    await tx.appEnvironments.insert({
      appId: app.id,
      environmentId: environment.id,
      currentReleaseId: null,
      scale: {},
      config: {},
      runState: 'running',
      maintenance: null,
      version: 1,
      updatedAtMs: now,
    });
    return { app, environment };
  });
  deps.logger.info({ app: input.app, environment: input.environment }, 'environment created');
  return environmentView(deps, created.app, created.environment);
}

/** The app's environments, by name. Errors: `APP_NOT_FOUND`. */
export async function listEnvironments(deps: CoreDeps, appName: string): Promise<EnvironmentView[]> {
  const app = await getApp(deps.store, appName);
  const views: EnvironmentView[] = [];
  for (const appEnvironment of await deps.store.appEnvironments.listByApp(app.id)) {
    const environment = await deps.store.environments.findById(appEnvironment.environmentId);
    if (environment) views.push(await environmentView(deps, app, environment, appEnvironment));
  }
  return views.sort((a, b) => a.name.localeCompare(b.name));
}

/** One environment of an app. Errors: `APP_NOT_FOUND`, `ENVIRONMENT_NOT_FOUND`. */
export async function getEnvironmentView(
  deps: CoreDeps,
  input: { app: string; environment: string },
): Promise<EnvironmentView> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  return environmentView(deps, scope.app, scope.environment, scope.appEnvironment);
}

/**
 * Deletes an environment of an app with its releases, deployments, approvals, config, secrets, routes and default
 * host. Instances running there refuse it (`ENVIRONMENT_IN_USE`, with a hint) unless `force`: then they are taken
 * out of the router and stopped first, as `apps delete` does. The project's environment goes too once no app has it
 * (but `production`, which every new app gets). Errors: `APP_NOT_FOUND`, `ENVIRONMENT_NOT_FOUND`,
 * `DEPLOYMENT_IN_PROGRESS`, `ENVIRONMENT_IN_USE`, `VALIDATION_FAILED` (the app's only environment: delete the app).
 */
export async function deleteEnvironment(
  deps: CoreDeps,
  fleet: Fleet,
  input: { app: string; environment: string; force: boolean },
): Promise<void> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const { app, environment } = scope;
  await assertDeletable(deps.store, scope.app, environment, input);
  const live = (await deps.store.instances.list({ appId: app.id, environmentId: environment.id })).filter(
    (i) => !retiringStates.includes(i.state),
  );
  if (live.length > 0 && !input.force) {
    throw new SlipwayError(
      'ENVIRONMENT_IN_USE',
      `${live.length} instance(s) of "${app.name}" run in ${environment.name}: stop them first (slipway stop ${app.name} -e ${environment.name}) or delete with --force`,
      { details: { app: app.name, environment: environment.name, instances: live.length } },
    );
  }
  await deps.store.routes.replaceForApp(app.id, environment.id, []);
  await fleet.router.sync(true);
  const instances = await deps.store.instances.list({ appId: app.id, environmentId: environment.id });
  await Promise.all(instances.map((i) => fleet.retireInstance(i.id)));
  const artifactDirs = (await deps.store.releases.list(app.id, environment.id)).map((r) => r.artifactDir);
  await deps.store.transaction(async (tx) => {
    // Checked again where it counts: a deployment requested while the instances stopped refuses the deletion.
    await assertDeletable(tx, app, environment, input);
    await tx.appEnvironments.delete(app.id, environment.id);
    const host = defaultHost(app, environment, deps.settings);
    if ((await tx.hostClaims.findByHost(host))?.appId === app.id) await tx.hostClaims.delete(host);
    const isUsed = (await tx.appEnvironments.list()).some((ae) => ae.environmentId === environment.id);
    if (!isUsed && environment.name !== 'production') await tx.environments.delete(environment.id);
  });
  for (const dir of new Set(artifactDirs)) await deps.artifacts.deleteArtifact(dir);
  deps.logger.info({ app: app.name, environment: environment.name }, 'environment deleted');
}

async function assertDeletable(
  repos: Repositories,
  app: AppRecord,
  environment: EnvironmentRecord,
  input: { app: string; environment: string },
): Promise<void> {
  if ((await repos.appEnvironments.listByApp(app.id)).length <= 1) {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `${input.environment} is the only environment of "${app.name}": delete the app instead (slipway apps delete ${app.name})`,
      { details: { app: app.name, environment: input.environment } },
    );
  }
  const active = await repos.deployments.findActive(app.id, environment.id);
  if (active) {
    throw new SlipwayError(
      'DEPLOYMENT_IN_PROGRESS',
      `deployment ${active.id} of "${app.name}" (${environment.name}) is ${active.state}; cancel it or wait before deleting the environment`,
      { details: { deploymentId: active.id } },
    );
  }
}

/** Stores the strategy that replaces the manifest's for this environment. Errors: `ENVIRONMENT_NOT_FOUND`, `VALIDATION_FAILED`. */
export async function setEnvironmentStrategy(
  deps: CoreDeps,
  input: { app: string; environment: string; strategy: Strategy | null },
): Promise<EnvironmentView> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  if (input.strategy === null) {
    await deps.store.environmentStrategies.delete(scope.app.id, scope.environment.id);
  } else {
    const parsed = strategySchema.safeParse(input.strategy);
    if (!parsed.success) {
      throw new SlipwayError('VALIDATION_FAILED', `invalid strategy: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    }
    await deps.store.environmentStrategies.put({
      appId: scope.app.id,
      environmentId: scope.environment.id,
      strategy: parsed.data,
      updatedAtMs: deps.clock.nowMs(),
    });
  }
  return environmentView(deps, scope.app, scope.environment, scope.appEnvironment);
}

async function environmentView(
  deps: CoreDeps,
  app: AppRecord,
  environment: EnvironmentRecord,
  known?: AppEnvironmentRecord,
): Promise<EnvironmentView> {
  const appEnvironment = known ?? (await deps.store.appEnvironments.find(app.id, environment.id));
  const release = appEnvironment?.currentReleaseId
    ? await deps.store.releases.findById(appEnvironment.currentReleaseId)
    : undefined;
  const instances = await deps.store.instances.list({ appId: app.id, environmentId: environment.id });
  const strategy = await deps.store.environmentStrategies.find(app.id, environment.id);
  const policy = await deps.store.approvalPolicies.find(app.id, environment.id);
  return {
    app: app.name,
    name: environment.name,
    defaultHost: defaultHost(app, environment, deps.settings),
    currentRelease: release?.number ?? null,
    instances: instances.filter((i) => !retiringStates.includes(i.state)).length,
    strategy: strategy?.strategy ?? null,
    hasApprovalPolicy: policy !== undefined,
    createdAt: new Date(environment.createdAtMs).toISOString(),
  };
}

export { resolveEnvironmentStrategy };
