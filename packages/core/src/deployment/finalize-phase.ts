/** The end of a deployment's rollout: finalize (the release becomes current) or abandon (its instances go). */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import type { DeploymentRecord, ReleaseRecord } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';
import { steadyTargets, writeDesiredState } from '../delivery/desired-state.js';
import { finishFailed } from '../delivery/rollout-transitions.js';
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
        await writeDesiredState(
          tx,
          { appId: app.id, environmentId: environment.id },
          steadyTargets(release, appEnvironment.scale),
          clock.nowMs(),
        );
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

/**
 * Takes back what a failed or cancelled rollout started: its rollout ends (aborted, if it was still going), the stable
 * release is the desired one again at once, and the new release's instances go.
 */
export async function abandonRollout(
  deps: CoreDeps,
  fleet: Fleet,
  deployment: DeploymentRecord,
  log: (line: string) => void,
): Promise<void> {
  const { store, clock } = deps;
  const appEnvironment = await store.appEnvironments.find(deployment.appId, deployment.environmentId);
  await endRollout(deps, deployment);
  const stableRelease = appEnvironment?.currentReleaseId
    ? await store.releases.findById(appEnvironment.currentReleaseId)
    : undefined;
  await writeDesiredState(
    store,
    deployment,
    stableRelease === undefined ? [] : steadyTargets(stableRelease, appEnvironment?.scale ?? {}),
    clock.nowMs(),
  );
  await fleet.router.sync(true);
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

/** Ends the deployment's rollout as aborted when it is still going; retried over a concurrent write. */
async function endRollout(deps: CoreDeps, deployment: DeploymentRecord): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const rollout = await deps.store.rollouts.findByDeployment(deployment.id);
    if (rollout === undefined || (rollout.phase !== 'progressing' && rollout.phase !== 'paused')) return;
    const reason = deployment.cancellation === null ? 'the deployment failed' : 'the deployment was cancelled';
    try {
      await deps.store.rollouts.update(finishFailed(rollout, 'aborted', 'ROLLOUT_ABORTED', reason, deps.clock.nowMs()));
      return;
    } catch (error) {
      if (!isSlipwayError(error) || error.code !== 'VERSION_CONFLICT') throw error;
    }
  }
}
