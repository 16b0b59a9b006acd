/** Use cases for deployments: request a deploy, a rollback or a config release; list and describe them. */
import { SlipwayError, type DeploymentView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentKind, DeploymentRecord, DeploymentSource } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';
import { getAppScope, getDeployment, type AppScope } from './lookups.js';
import { deploymentView } from './views.js';
import { queuedDeploymentJob } from '../domain/queued-deployment-job.js';
import { gitCredentialsSealName, splitGitCredentials } from '../deployment/git-credentials.js';
import { sealSecret } from '../secrets/secret-vault.js';
import { deploymentGateKey, withdrawApprovalRequest } from '../delivery/approval-requests.js';

export interface DeploymentRequest {
  app: string;
  environment: string;
  source: DeploymentSource;
  kind?: DeploymentKind;
  config?: Record<string, string>;
  /** Known in advance when the server stores an upload under the deployment's id. */
  id?: string;
  /** The user asking (who may not approve it when the environment prevents self-approval). */
  requestedBy?: string;
}

/**
 * Writes a pending deployment and its job in one transaction. An active deployment waiting for approval is superseded
 * (its request settled `superseded`, a cancel requested on it) instead of blocking the new one. Errors:
 * `DEPLOYMENT_IN_PROGRESS`.
 */
export async function insertDeployment(
  deps: CoreDeps,
  tx: Repositories,
  scope: AppScope,
  request: DeploymentRequest,
): Promise<DeploymentRecord> {
  const id = request.id ?? deps.ids.next('dep');
  const active = await tx.deployments.findActive(scope.app.id, scope.environment.id);
  if (active && !(await supersedeWaitingDeployment(deps, tx, active, id))) {
    throw new SlipwayError(
      'DEPLOYMENT_IN_PROGRESS',
      `deployment ${active.id} of "${scope.app.name}" (${scope.environment.name}) is still ${active.state}; wait for it (slipway status) and try again`,
      { details: { deploymentId: active.id } },
    );
  }
  if (scope.appEnvironment.runState === 'stopped') {
    throw new SlipwayError(
      'APP_STOPPED',
      `"${scope.app.name}" (${scope.environment.name}) is stopped: start it first (slipway start ${scope.app.name})`,
      { details: { app: scope.app.name, environment: scope.environment.name } },
    );
  }
  const now = deps.clock.nowMs();
  const kind = request.kind ?? 'deploy';
  const deployment: DeploymentRecord = {
    id,
    appId: scope.app.id,
    environmentId: scope.environment.id,
    kind,
    state: 'pending',
    phase: null,
    source: request.source,
    sourceView: null,
    releaseId:
      (kind === 'rollback' || kind === 'restart') && request.source.kind === 'release'
        ? request.source.releaseId
        : null,
    previousReleaseId: scope.appEnvironment.currentReleaseId,
    config: request.config ?? null,
    failure: null,
    cancellation: null,
    ...(request.requestedBy === undefined ? {} : { requestedBy: request.requestedBy }),
    createdAtMs: now,
    updatedAtMs: now,
    finishedAtMs: null,
  };
  await tx.deployments.insert(deployment);
  await tx.jobs.enqueue(queuedDeploymentJob(deps.ids, deployment.id, now));
  deps.tracer?.recordOrigin(deployment.id);
  return deployment;
}

/**
 * A deployment waiting for approval must not block a newer one: its pending request becomes `superseded` and a cancel
 * is requested on it, so its run ends `cancelled` saying which deployment replaced it (the waiting run reads its
 * request again within `approvalPollMs`; nothing is woken from inside the transaction, before it commits). False when `active` is not
 * waiting for approval.
 */
async function supersedeWaitingDeployment(
  deps: CoreDeps,
  tx: Repositories,
  active: DeploymentRecord,
  newerId: string,
): Promise<boolean> {
  const request = await tx.approvalRequests.findByGateKey(deploymentGateKey(active.id));
  if (request?.state !== 'pending') return false;
  const reason = `superseded by deployment ${newerId}`;
  await withdrawApprovalRequest(deps, tx, request.id, 'superseded', reason);
  await tx.deployments.requestCancellation(active.id, {
    by: `deployment ${newerId}, which supersedes it`,
    requestedAtMs: deps.clock.nowMs(),
  });
  return true;
}

export async function requestDeployment(deps: CoreDeps, request: DeploymentRequest): Promise<DeploymentView> {
  const deployment = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, request.app, request.environment);
    return insertDeployment(deps, tx, scope, await withSealedCredentials(deps, tx, scope, request));
  });
  deps.logger.info({ deploymentId: deployment.id, app: request.app, kind: deployment.kind }, 'deployment requested');
  return viewDeployment(deps, deployment);
}

/** Rolls back to release `toRelease`, or to the newest release older than the current one. Never rebuilds. */
export async function requestRollback(
  deps: CoreDeps,
  input: { app: string; environment: string; toRelease?: number; requestedBy?: string },
): Promise<DeploymentView> {
  const deployment = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, input.app, input.environment);
    const releases = await tx.releases.list(scope.app.id, scope.environment.id);
    const current = releases.find((r) => r.id === scope.appEnvironment.currentReleaseId);
    if (!current) throw new SlipwayError('NO_RELEASE', `"${input.app}" has no live release to roll back from`);
    const target =
      input.toRelease === undefined
        ? releases.find((r) => r.number < current.number)
        : releases.find((r) => r.number === input.toRelease);
    if (!target) {
      const kept = releases.map((r) => r.number).join(', ');
      throw new SlipwayError(
        input.toRelease === undefined ? 'NO_RELEASE' : 'RELEASE_NOT_FOUND',
        input.toRelease === undefined
          ? `"${input.app}" has no release older than ${current.number} to roll back to`
          : `release ${input.toRelease} of "${input.app}" does not exist or was pruned (kept: ${kept})`,
        { details: { kept: releases.map((r) => r.number) } },
      );
    }
    if (target.id === current.id) {
      throw new SlipwayError('VALIDATION_FAILED', `release ${target.number} is already live`, {
        details: { release: target.number },
      });
    }
    return insertDeployment(deps, tx, scope, {
      app: input.app,
      environment: input.environment,
      kind: 'rollback',
      source: { kind: 'release', releaseId: target.id },
      ...(input.requestedBy === undefined ? {} : { requestedBy: input.requestedBy }),
    });
  });
  deps.logger.info({ deploymentId: deployment.id, app: input.app }, 'rollback requested');
  return viewDeployment(deps, deployment);
}

export async function viewDeployment(deps: CoreDeps, deployment: DeploymentRecord): Promise<DeploymentView> {
  const app = await deps.store.apps.findById(deployment.appId);
  const environment = await deps.store.environments.findById(deployment.environmentId);
  const releases = await deps.store.releases.list(deployment.appId, deployment.environmentId);
  const numbers = new Map(releases.map((r) => [r.id, r.number]));
  const phases = await deps.store.phases.list(deployment.id);
  return deploymentView(deployment, phases, { app: app?.name ?? '', environment: environment?.name ?? '' }, numbers);
}

export async function getDeploymentView(deps: CoreDeps, id: string): Promise<DeploymentView> {
  return viewDeployment(deps, await getDeployment(deps.store, id));
}

export async function listDeployments(
  deps: CoreDeps,
  input: { app: string; environment: string; limit: number },
): Promise<DeploymentView[]> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const deployments = await deps.store.deployments.list(scope.app.id, scope.environment.id, input.limit);
  return Promise.all(deployments.map((d) => viewDeployment(deps, d)));
}

/**
 * A git source's URL without its credentials, which are sealed under the app environment's data key: nothing stores,
 * shows or logs them in clear from here on. Errors: `SOURCE_INVALID` (a password in a non-HTTP URL).
 */
async function withSealedCredentials(
  deps: CoreDeps,
  tx: Repositories,
  scope: AppScope,
  request: DeploymentRequest,
): Promise<DeploymentRequest> {
  if (request.source.kind !== 'git') return request;
  const { url, credentials } = splitGitCredentials(request.source.url);
  const { sealedCredentials: _ignored, ...source } = request.source;
  if (credentials === undefined) return { ...request, source: { ...source, url } };
  const id = request.id ?? deps.ids.next('dep');
  const { name, version } = gitCredentialsSealName(id);
  const secretScope = { appId: scope.app.id, environmentId: scope.environment.id };
  const sealedCredentials = await sealSecret(deps, tx, secretScope, name, version, JSON.stringify(credentials));
  return { ...request, id, source: { ...source, url, sealedCredentials } };
}
