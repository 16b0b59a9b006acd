/** The strategy a release rolls out with in an app environment: the environment's override, else its manifest's. */
import type { Manifest, Strategy } from '@slipway/contract';
import { resolveStrategy } from '../domain/process-plan.js';
import type { Repositories } from '../ports/store.js';

/** The environment's strategy override (`slipway env strategy set`) when it has one, else the manifest's (or the default). */
export async function resolveEnvironmentStrategy(
  repos: Pick<Repositories, 'environmentStrategies'>,
  scope: { appId: string; environmentId: string },
  manifest: Manifest,
): Promise<Strategy> {
  const override = await repos.environmentStrategies.find(scope.appId, scope.environmentId);
  return override?.strategy ?? resolveStrategy(manifest);
}
