/** The end of a deployment's rollout: finalize (the release becomes current) or abandon (its instances go). */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import type { DeploymentRecord, ReleaseRecord } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';
import { reportSecretChanges, restoreSecrets, rollbackRestore } from './config-restore.js';
import { releaseRoutes } from './release-routes.js';
import { pruneReleases } from './release-retention.js';
import { admitRoutes } from './route-admission.js';

/** Switches the environment to the release and writes its routes (claims decided here), then re-sends the table. */
export async function finalizeDeployment(
  deps: CoreDeps,
  fleet: Fleet,
  deployment: DeploymentRecord,
  release: ReleaseRecord,
  fence: (tx: Repositories) => Promise<void>,
): Promise<void> {
  const { store, clock } = deps;
  const app = await store.apps.findById(deployment.appId);
  const environment = await store.environments.findById(deployment.environmentId);
  if (!app || !environment) return;
  // A release is code plus config: a rollback makes the release's config vars and secrets the app environment's
  // again, so `config list` shows them and the next deploy starts from them.
  const restore = deployment.kind === 'rollback' ? await rollbackRestore(deps, release) : undefined;
  let secretChanges: Awaited<ReturnType<typeof restoreSecrets>> = [];
  for (let attempt = 0; ; attempt += 1) {
    try {
      await store.transaction(async (tx) => {
        await fence(tx);
        const appEnvironment = await tx.appEnvironments.find(deployment.appId, deployment.environmentId);
        if (!appEnvironment) throw new SlipwayError('ENVIRONMENT_NOT_FOUND', 'the app environment no longer exists');
        await tx.appEnvironments.update({
          ...appEnvironment,
          currentReleaseId: release.id,
          ...(restore === undefined ? {} : { config: release.configVars }),
          updatedAtMs: clock.nowMs(),
        });
        secretChanges = restore === undefined ? [] : await restoreSecrets(deps, tx, release, restore, deployment.id);
        const routes = releaseRoutes(app, environment, release, deps.settings, deps.ids);
        // The deciding check: in the transaction that writes the routes, with the host claims' unique constraint.
        await admitRoutes(deps, tx, app, routes, 'claim');
        await tx.routes.replaceForApp(app.id, environment.id, routes);
      });
      break;
    } catch (error) {
      if (!isSlipwayError(error) || error.code !== 'VERSION_CONFLICT' || attempt >= 5) throw error;
    }
  }
  await reportSecretChanges(deps, deployment, secretChanges);
  await fleet.router.sync(true);
  await pruneReleases(deps, deployment.appId, deployment.environmentId);
}

/** Takes back what a failed rollout started: the new release's instances go; the controller restores the stable release. */
export async function abandonRollout(
  deps: CoreDeps,
  fleet: Fleet,
  deployment: DeploymentRecord,
  log: (line: string) => void,
): Promise<void> {
  const { store } = deps;
  const appEnvironment = await store.appEnvironments.find(deployment.appId, deployment.environmentId);
  const target = deployment.releaseId;
  if (target === null || target === appEnvironment?.currentReleaseId) return;
  const instances = await store.instances.list({
    appId: deployment.appId,
    environmentId: deployment.environmentId,
    releaseId: target,
  });
  await Promise.all(instances.map((i) => fleet.retireInstance(i.id)));
  const stable = appEnvironment?.currentReleaseId
    ? await store.releases.findById(appEnvironment.currentReleaseId)
    : undefined;
  log(stable ? `rolled back: release ${stable.number} keeps serving` : 'no earlier release to fall back to');
}
