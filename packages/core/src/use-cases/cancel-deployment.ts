/**
 * Cancels a deployment. A pending one whose job no run holds ends `cancelled` at once, its job marked done in the same
 * transaction; any other active one gets a persisted cancel request and its run is woken to stop (the run then
 * undoes what it started, as a failure would, and ends `cancelled`; after a restart, the next run does instead of
 * resuming).
 */
import { SlipwayError, type DeploymentView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { cancellationKey, describeCancellation } from '../deployment/cancellation.js';
import { describeTakeBack, takeBackConfigChange } from '../deployment/config-restore.js';
import { createDeploymentJournal } from '../deployment/deployment-journal.js';
import type { DeploymentRecord } from '../domain/records.js';
import { viewDeployment } from './deployments.js';
import { getDeployment } from './lookups.js';

const noFence = async (): Promise<void> => undefined;

export interface CancelDeploymentInput {
  id: string;
  /** The user asking (named in the deployment's reason and events). */
  by: string;
}

/**
 * Errors: `DEPLOYMENT_NOT_FOUND`, `DEPLOYMENT_NOT_CANCELLABLE` (it already succeeded or failed). Idempotent: a
 * deployment already cancelled, or whose cancel is already requested, is answered as it is.
 */
export async function cancelDeployment(deps: CoreDeps, input: CancelDeploymentInput): Promise<DeploymentView> {
  const { store, clock } = deps;
  const outcome = await store.transaction(async (tx): Promise<{ deployment: DeploymentRecord; isNew: boolean }> => {
    const deployment = await getDeployment(tx, input.id);
    if (deployment.state === 'succeeded' || deployment.state === 'failed') {
      throw new SlipwayError(
        'DEPLOYMENT_NOT_CANCELLABLE',
        `deployment ${deployment.id} already ${deployment.state}; only a pending or running deployment can be cancelled`,
        { details: { id: deployment.id, state: deployment.state } },
      );
    }
    if (deployment.state === 'cancelled' || deployment.cancellation !== null) return { deployment, isNew: false };
    const now = clock.nowMs();
    const cancellation = { by: input.by, requestedAtMs: now };
    await tx.deployments.requestCancellation(deployment.id, cancellation);
    const requested = { ...deployment, cancellation };
    if (deployment.state !== 'pending' || !(await tx.jobs.cancelQueued(deployment.id)))
      return { deployment: requested, isNew: true };
    const cancelled: DeploymentRecord = { ...requested, state: 'cancelled', updatedAtMs: now, finishedAtMs: now };
    await tx.deployments.update(cancelled);
    return { deployment: cancelled, isNew: true };
  });
  const { deployment, isNew } = outcome;
  if (isNew && deployment.cancellation !== null) {
    const journal = createDeploymentJournal(deps, deployment.id);
    journal.log(`cancel requested by ${deployment.cancellation.by}`);
    if (deployment.state === 'cancelled') {
      journal.log(`deployment ${describeCancellation(deployment.cancellation)} before it started`);
      // A config change that never rolled out is taken back, as when a run is cancelled.
      const takenBack = await takeBackConfigChange(deps, deployment, noFence).then(
        describeTakeBack,
        (error: unknown) => {
          deps.logger.error({ deploymentId: deployment.id, err: error }, 'config change not taken back');
          return 'the change could not be taken back: check slipway config list';
        },
      );
      if (takenBack !== undefined) journal.log(takenBack);
      await journal.stateChanged(deployment);
      // No run will clean up after it: an uploaded archive goes now.
      await deps.artifacts.cleanDeployment(deployment.id);
    }
    await journal.flush();
    deps.events.notify(cancellationKey(deployment.id));
    deps.logger.info(
      { deploymentId: deployment.id, by: input.by, state: deployment.state },
      'deployment cancel requested',
    );
  }
  return viewDeployment(deps, deployment);
}
