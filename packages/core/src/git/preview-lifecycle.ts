/**
 * A preview's life: its environment made and its head commit deployed (config and secrets from the preview set), and
 * its destruction, complete and idempotent: the environment with its instances, routes, releases, deployments,
 * config, secrets and host claims (the per-commit aliases too), then the record.
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord } from '../domain/records.js';
import { openCurrentSecrets } from '../secrets/secret-vault.js';
import { createEnvironment } from '../use-cases/environments.js';
import { insertDeployment } from '../use-cases/deployments.js';
import { cancelDeployment } from '../use-cases/cancel-deployment.js';
import { getAppScope } from '../use-cases/lookups.js';
import { isPreviewHostOf, previewEnvironmentName, previewHostSuffix } from './preview-hosts.js';
import type { PreviewRecord } from './preview-records.js';
import { applyPreviewSet, readPreviewSet } from './preview-set.js';
import { previewSource } from './preview-source.js';

export type PreviewDeployResult =
  | { readonly kind: 'deployed'; readonly preview: PreviewRecord; readonly deploymentId: string }
  /** A deployment of an older commit still runs: it is cancelled, and the sweep deploys the head once it ends. */
  | { readonly kind: 'busy'; readonly preview: PreviewRecord; readonly activeId: string };

/**
 * Deploys the preview's head commit to `pr-<n>` (made when missing). Errors: those of `createEnvironment`,
 * `insertDeployment` (but `DEPLOYMENT_IN_PROGRESS`, which is `busy`), `SECRET_UNREADABLE`, `REPOSITORY_NOT_FOUND`.
 */
export async function deployPreview(
  deps: CoreDeps,
  app: AppRecord,
  preview: PreviewRecord,
  requestedBy?: string,
): Promise<PreviewDeployResult> {
  const environment = previewEnvironmentName(preview.number);
  if (!(await hasAppEnvironment(deps, app, environment))) await createEnvironment(deps, { app: app.name, environment });
  const set = await readPreviewSet(deps, app);
  const before = await getAppScope(deps.store, app.name, environment);
  const current = await openCurrentSecrets(deps, { appId: app.id, environmentId: before.environment.id });
  const source = await previewSource(deps, preview);
  return deps.store.transaction(async (tx): Promise<PreviewDeployResult> => {
    const scope = await getAppScope(tx, app.name, environment);
    const stored = (await tx.previews.find(app.id, preview.number)) ?? preview;
    const active = await tx.deployments.findActive(app.id, scope.environment.id);
    const now = deps.clock.nowMs();
    if (active?.source.kind === 'repository' && active.source.commit === stored.headSha) {
      // Already deploying this very commit (the sweep and an event met): nothing to cancel, nothing to add.
      const updated: PreviewRecord = {
        ...stored,
        environmentId: scope.environment.id,
        deploymentId: active.id,
        state: 'deploying',
        updatedAtMs: now,
      };
      await tx.previews.update(updated);
      return { kind: 'deployed', preview: updated, deploymentId: active.id };
    }
    if (active) {
      const updated: PreviewRecord = {
        ...stored,
        environmentId: scope.environment.id,
        state: 'deploying',
        updatedAtMs: now,
      };
      await tx.previews.update(updated);
      return { kind: 'busy', preview: updated, activeId: active.id };
    }
    await applyPreviewSet(deps, tx, { appId: app.id, environmentId: scope.environment.id }, set, current);
    const fresh = await getAppScope(tx, app.name, environment);
    const deployment = await insertDeployment(deps, tx, fresh, {
      app: app.name,
      environment,
      source,
      ...(requestedBy === undefined ? {} : { requestedBy }),
    });
    const updated: PreviewRecord = {
      ...stored,
      environmentId: scope.environment.id,
      deploymentId: deployment.id,
      state: 'deploying',
      updatedAtMs: now,
    };
    await tx.previews.update(updated);
    return { kind: 'deployed', preview: updated, deploymentId: deployment.id };
  });
}

async function hasAppEnvironment(deps: CoreDeps, app: AppRecord, environment: string): Promise<boolean> {
  const record = await deps.store.environments.find(app.projectId, environment);
  return record !== undefined && (await deps.store.appEnvironments.find(app.id, record.id)) !== undefined;
}

/** Asks the deployment still running for an older commit to stop; idempotent. */
export async function cancelStaleDeployment(deps: CoreDeps, deploymentId: string, why: string): Promise<void> {
  try {
    await cancelDeployment(deps, { id: deploymentId, by: why });
  } catch (error) {
    // Over meanwhile (succeeded or failed): nothing left to stop.
    if (!isSlipwayError(error) || error.code !== 'DEPLOYMENT_NOT_CANCELLABLE') throw error;
  }
}

/**
 * Removes the preview and everything it made. `removed`: nothing of it is left; `pending`: a deployment of it was
 * still active, a cancel is requested, and the record stays (state unchanged) for the sweep to finish the job.
 * Idempotent: removing what is gone resolves `removed`.
 */
export async function destroyPreview(
  deps: CoreDeps,
  app: AppRecord,
  preview: PreviewRecord,
  why: string,
): Promise<'removed' | 'pending'> {
  const services = deps.previews;
  if (!services) throw new SlipwayError('INTERNAL', 'previews are not set up in this server');
  const environment = previewEnvironmentName(preview.number);
  if (await hasAppEnvironment(deps, app, environment)) {
    const scope = await getAppScope(deps.store, app.name, environment);
    const active = await deps.store.deployments.findActive(app.id, scope.environment.id);
    if (active) await cancelStaleDeployment(deps, active.id, why);
    // A pending deployment no worker held is cancelled at once; a running one stops at its next checkpoint.
    if (await deps.store.deployments.findActive(app.id, scope.environment.id)) return 'pending';
    try {
      await services.deleteEnvironment({ app: app.name, environment });
    } catch (error) {
      if (isSlipwayError(error) && error.code === 'DEPLOYMENT_IN_PROGRESS') return 'pending';
      if (!isSlipwayError(error) || error.code !== 'ENVIRONMENT_NOT_FOUND') throw error;
    }
  }
  const domain = deps.settings.previewDomain ?? deps.settings.defaultDomain;
  await deps.store.transaction(async (tx) => {
    // The per-commit aliases' claims: routes come and go with releases, their claims stay until here.
    for (const claim of await tx.hostClaims.listUnder(previewHostSuffix(app.name, domain))) {
      if (claim.appId === app.id && isPreviewHostOf(claim.host, app.name, preview.number, domain)) {
        await tx.hostClaims.delete(claim.host);
      }
    }
    await tx.previews.delete(preview.id);
  });
  deps.logger.info({ app: app.name, number: preview.number, reason: why }, 'preview removed');
  return 'removed';
}
