/** `getX` lookups by name that throw `X_NOT_FOUND`, shared by every use case. */
import { SlipwayError } from '@slipway/contract';
import type {
  AppEnvironmentRecord,
  AppRecord,
  DeploymentRecord,
  EnvironmentRecord,
  ReleaseRecord,
} from '../domain/records.js';
import type { Repositories } from '../ports/store.js';

export interface AppScope {
  app: AppRecord;
  environment: EnvironmentRecord;
  appEnvironment: AppEnvironmentRecord;
}

export async function getApp(repos: Repositories, name: string): Promise<AppRecord> {
  const app = await repos.apps.findByName(name);
  if (!app)
    throw new SlipwayError('APP_NOT_FOUND', `no app named "${name}" (create it with: slipway apps create ${name})`, {
      details: { app: name },
    });
  return app;
}

export async function getAppScope(repos: Repositories, appName: string, environmentName: string): Promise<AppScope> {
  const app = await getApp(repos, appName);
  const environment = await repos.environments.find(app.projectId, environmentName);
  if (!environment) {
    const known = await knownEnvironments(repos, app);
    const hint = ` (create it with: slipway env create ${appName} ${environmentName})`;
    throw new SlipwayError(
      'ENVIRONMENT_NOT_FOUND',
      `app "${appName}" has no environment "${environmentName}" (its environments: ${known.join(', ') || 'none'})${hint}`,
      { details: { app: appName, environment: environmentName, known } },
    );
  }
  const appEnvironment = await repos.appEnvironments.find(app.id, environment.id);
  if (!appEnvironment) {
    throw new SlipwayError(
      'ENVIRONMENT_NOT_FOUND',
      `app "${appName}" has no environment "${environmentName}" (create it with: slipway env create ${appName} ${environmentName})`,
      {
        details: { app: appName, environment: environmentName },
      },
    );
  }
  return { app, environment, appEnvironment };
}

/** The names of the environments the app has, sorted. */
async function knownEnvironments(repos: Repositories, app: AppRecord): Promise<string[]> {
  const ids = new Set((await repos.appEnvironments.listByApp(app.id)).map((ae) => ae.environmentId));
  return (await repos.environments.listByProject(app.projectId))
    .filter((e) => ids.has(e.id))
    .map((e) => e.name)
    .sort();
}

export async function getDeployment(repos: Repositories, id: string): Promise<DeploymentRecord> {
  const deployment = await repos.deployments.findById(id);
  if (!deployment) throw new SlipwayError('DEPLOYMENT_NOT_FOUND', `no deployment with id "${id}"`, { details: { id } });
  return deployment;
}

export async function getRelease(repos: Repositories, id: string): Promise<ReleaseRecord> {
  const release = await repos.releases.findById(id);
  if (!release) throw new SlipwayError('RELEASE_NOT_FOUND', `release ${id} no longer exists`, { details: { id } });
  return release;
}
