/**
 * Runtime tasks on an app environment: stop it (kept stopped across restarts of slipwayd, its routes answered with
 * the maintenance page), start it again, restart its instances, and put it in or out of maintenance.
 */
import { SlipwayError, type DeploymentView, type RunStateView } from '@slipway/contract';
import type { Fleet } from '../controller/fleet.js';
import type { CoreDeps } from '../core-deps.js';
import type { AppEnvironmentRecord, MaintenanceSettings } from '../domain/records.js';
import { insertDeployment, viewDeployment } from './deployments.js';
import { getAppScope } from './lookups.js';

interface ScopeInput {
  app: string;
  environment: string;
}

/**
 * Marks the app environment stopped: its routes answer with the maintenance page from when this resolves (the edge
 * has the table, or will get it on the controller's next pass if it could not be reached), the controller retires
 * its instances and starts none until `startApp`. Errors: `DEPLOYMENT_IN_PROGRESS` (stop after it, or cancel it).
 */
export async function stopApp(deps: CoreDeps, fleet: Fleet, input: ScopeInput): Promise<RunStateView> {
  const view = await setRunState(deps, input, 'stopped');
  if (!view.isUnchanged) await fleet.router.sync(true);
  return view;
}

/** Marks the app environment running again: the controller starts its current release's instances. */
export async function startApp(deps: CoreDeps, fleet: Fleet, input: ScopeInput): Promise<RunStateView> {
  const view = await setRunState(deps, input, 'running');
  if (!view.isUnchanged) await fleet.router.sync(true);
  return view;
}

async function setRunState(
  deps: CoreDeps,
  input: ScopeInput,
  runState: AppEnvironmentRecord['runState'],
): Promise<RunStateView> {
  const view = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, input.app, input.environment);
    const active = await tx.deployments.findActive(scope.app.id, scope.environment.id);
    if (active && runState === 'stopped') {
      throw new SlipwayError(
        'DEPLOYMENT_IN_PROGRESS',
        `deployment ${active.id} of "${scope.app.name}" is still ${active.state}: wait for it, or cancel it (slipway deployments cancel ${active.id}), then stop`,
        { details: { deploymentId: active.id } },
      );
    }
    const isUnchanged = scope.appEnvironment.runState === runState;
    const stored = isUnchanged
      ? scope.appEnvironment
      : await tx.appEnvironments.update({ ...scope.appEnvironment, runState, updatedAtMs: deps.clock.nowMs() });
    return viewOf(input, stored, isUnchanged);
  });
  if (!view.isUnchanged)
    deps.logger.info({ app: input.app, environment: input.environment, runState }, 'run state set');
  return view;
}

/**
 * Replaces every running instance of the current release with a new one, the release's strategy's way (rolling: the
 * app keeps serving), as a `restart` deployment. Errors: `NO_RELEASE`, `APP_STOPPED`, `DEPLOYMENT_IN_PROGRESS`.
 */
export async function restartApp(deps: CoreDeps, input: ScopeInput): Promise<DeploymentView> {
  const deployment = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, input.app, input.environment);
    const releaseId = scope.appEnvironment.currentReleaseId;
    if (releaseId === null) throw new SlipwayError('NO_RELEASE', `"${input.app}" has no release yet: deploy it first`);
    return insertDeployment(deps, tx, scope, {
      app: input.app,
      environment: input.environment,
      kind: 'restart',
      source: { kind: 'release', releaseId },
    });
  });
  deps.logger.info({ deploymentId: deployment.id, app: input.app }, 'restart requested');
  return viewDeployment(deps, deployment);
}

/**
 * Puts the app environment in maintenance (`settings`) or out of it (`null`): the edge answers its routes itself from
 * when this resolves (or from the controller's next pass, if the edge could not be reached now).
 */
export async function setMaintenance(
  deps: CoreDeps,
  fleet: Fleet,
  input: ScopeInput & { maintenance: MaintenanceSettings | null },
): Promise<RunStateView> {
  const view = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, input.app, input.environment);
    const isUnchanged = JSON.stringify(scope.appEnvironment.maintenance) === JSON.stringify(input.maintenance);
    const stored = isUnchanged
      ? scope.appEnvironment
      : await tx.appEnvironments.update({
          ...scope.appEnvironment,
          maintenance: input.maintenance,
          updatedAtMs: deps.clock.nowMs(),
        });
    return viewOf(input, stored, isUnchanged);
  });
  deps.logger.info({ app: input.app, isOn: input.maintenance !== null }, 'maintenance set');
  if (!view.isUnchanged) await fleet.router.sync(true);
  return view;
}

function viewOf(input: ScopeInput, record: AppEnvironmentRecord, isUnchanged: boolean): RunStateView {
  return {
    app: input.app,
    environment: input.environment,
    runState: record.runState,
    maintenance: record.maintenance,
    isUnchanged,
  };
}
