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
    const known = (await repos.environments.listByProject(app.projectId)).map((e) => e.name).sort();
    // No command creates an environment yet: every project has the one it was made with, and the hint names it.
    const fallback = known.includes('production') ? 'production' : known[0];
    const hint =
      fallback === undefined
        ? ''
        : `; act on ${fallback} with --environment ${fallback}${fallback === 'production' ? ' (or leave --environment out)' : ''}`;
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
      `app "${appName}" is not set up in environment "${environmentName}"`,
      {
        details: { app: appName, environment: environmentName },
      },
    );
  }
  return { app, environment, appEnvironment };
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
