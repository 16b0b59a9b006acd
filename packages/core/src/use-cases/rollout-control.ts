/**
 * What users do to a rollout: read its status, promote it (one step, or in full), pause, resume, abort it, and retry
 * an aborted one. Controls are stored on the rollout (never conflicting with the controller's writes) and acted on
 * by the controller's next pass; each answers the status with the control pending. Errors: `ROLLOUT_NOT_FOUND` (the
 * app environment never had a rollout), `ROLLOUT_FINISHED` (no rollout is going), `ROLLOUT_NOT_PAUSED` (promote or
 * resume while nothing is paused), `ROLLOUT_NOT_RETRYABLE` (retry of a rollout that was not aborted or degraded).
 */
import { SlipwayError, type DeploymentView, type RolloutView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { RolloutControl, RolloutRecord } from '../delivery/rollout-model.js';
import { insertDeployment, viewDeployment } from './deployments.js';
import { getAppScope, type AppScope } from './lookups.js';
import { buildRolloutView } from './rollout-view.js';

export interface RolloutInput {
  app: string;
  environment: string;
}

export interface RolloutControlInput extends RolloutInput {
  /** Who asks (a user or token name), stored on the rollout and in its status. */
  by: string;
}

const isActive = (rollout: RolloutRecord): boolean => rollout.phase === 'progressing' || rollout.phase === 'paused';

async function latestRollout(
  deps: CoreDeps,
  input: RolloutInput,
): Promise<{ scope: AppScope; rollout: RolloutRecord }> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const [rollout] = await deps.store.rollouts.list(scope.app.id, scope.environment.id, 1);
  if (rollout === undefined)
    throw new SlipwayError('ROLLOUT_NOT_FOUND', `"${input.app}" (${input.environment}) has had no rollout yet`, {
      details: { app: input.app, environment: input.environment },
    });
  return { scope, rollout };
}

async function activeRollout(
  deps: CoreDeps,
  input: RolloutInput,
): Promise<{ scope: AppScope; rollout: RolloutRecord }> {
  const found = await latestRollout(deps, input);
  if (!isActive(found.rollout))
    throw new SlipwayError(
      'ROLLOUT_FINISHED',
      `the last rollout of "${input.app}" (${input.environment}) is over (${found.rollout.phase}); nothing to control`,
      { details: { rolloutId: found.rollout.id, phase: found.rollout.phase } },
    );
  return found;
}

async function requestControl(
  deps: CoreDeps,
  found: { scope: AppScope; rollout: RolloutRecord },
  patch: Partial<RolloutControl>,
  by: string,
  action: string,
): Promise<RolloutView> {
  const stored = await deps.store.rollouts.requestControl(found.rollout.id, { ...patch, by }, deps.clock.nowMs());
  if (stored === undefined)
    throw new SlipwayError('ROLLOUT_NOT_FOUND', `rollout ${found.rollout.id} no longer exists`, {
      details: { rolloutId: found.rollout.id },
    });
  deps.logger.info({ rolloutId: stored.id, by, action }, 'rollout control requested');
  return buildRolloutView(deps, found.scope, stored);
}

/** The status of the app environment's last rollout. */
export async function getRolloutStatus(deps: CoreDeps, input: RolloutInput): Promise<RolloutView> {
  const { scope, rollout } = await latestRollout(deps, input);
  return buildRolloutView(deps, scope, rollout);
}

/**
 * Leaves the current pause or gate (`full`: skips every remaining step, pause and analysis; health is never
 * skipped). A step promote needs a paused rollout; a full one may be asked while it progresses.
 */
export async function promoteRollout(
  deps: CoreDeps,
  input: RolloutControlInput & { full: boolean },
): Promise<RolloutView> {
  const found = await activeRollout(deps, input);
  if (!input.full && found.rollout.phase !== 'paused')
    throw new SlipwayError(
      'ROLLOUT_NOT_PAUSED',
      `the rollout of "${input.app}" (${input.environment}) is not paused: nothing to promote (promote --full skips every step)`,
      { details: { rolloutId: found.rollout.id, phase: found.rollout.phase } },
    );
  return requestControl(deps, found, { promote: input.full ? 'full' : 'step', pause: false }, input.by, 'promote');
}

/** Holds the rollout where it is (its weights and instances stay; the progress deadline stops) until resumed. */
export async function pauseRollout(deps: CoreDeps, input: RolloutControlInput): Promise<RolloutView> {
  return requestControl(deps, await activeRollout(deps, input), { pause: true }, input.by, 'pause');
}

/** Ends a user's pause. Errors: `ROLLOUT_NOT_PAUSED` when no user paused it (a pause step needs a promote). */
export async function resumeRollout(deps: CoreDeps, input: RolloutControlInput): Promise<RolloutView> {
  const found = await activeRollout(deps, input);
  const isUserPaused = found.rollout.control.pause || found.rollout.pauseReason === 'manual';
  if (!isUserPaused)
    throw new SlipwayError(
      'ROLLOUT_NOT_PAUSED',
      found.rollout.phase === 'paused'
        ? `the rollout of "${input.app}" waits on its step (${found.rollout.pauseReason ?? 'a gate'}), not on a pause: promote it`
        : `the rollout of "${input.app}" (${input.environment}) is not paused`,
      { details: { rolloutId: found.rollout.id, phase: found.rollout.phase } },
    );
  return requestControl(deps, found, { pause: false }, input.by, 'resume');
}

/**
 * Aborts the rollout: all traffic goes back to the stable release at once and the stable release is the desired one
 * again; the deployment ends failed with `ROLLOUT_ABORTED`.
 */
export async function abortRollout(deps: CoreDeps, input: RolloutControlInput): Promise<RolloutView> {
  return requestControl(deps, await activeRollout(deps, input), { abort: true }, input.by, 'abort');
}

/** Rolls the release of an aborted or degraded rollout out again, through every step (a new deployment). */
export async function retryRollout(deps: CoreDeps, input: RolloutControlInput): Promise<DeploymentView> {
  const { rollout } = await latestRollout(deps, input);
  if (rollout.phase !== 'aborted' && rollout.phase !== 'degraded')
    throw new SlipwayError(
      'ROLLOUT_NOT_RETRYABLE',
      `the last rollout of "${input.app}" (${input.environment}) is ${rollout.phase}: only an aborted or degraded one is retried`,
      { details: { rolloutId: rollout.id, phase: rollout.phase } },
    );
  const deployment = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, input.app, input.environment);
    if (scope.appEnvironment.currentReleaseId === rollout.releaseId)
      throw new SlipwayError('ROLLOUT_NOT_RETRYABLE', 'the release of that rollout is the current one already', {
        details: { rolloutId: rollout.id },
      });
    return insertDeployment(deps, tx, scope, {
      app: input.app,
      environment: input.environment,
      kind: 'rollback',
      source: { kind: 'release', releaseId: rollout.releaseId },
    });
  });
  deps.logger.info({ deploymentId: deployment.id, rolloutId: rollout.id, by: input.by }, 'rollout retry requested');
  return viewDeployment(deps, deployment);
}
