/**
 * Deploying a stack: one app deployment per service, through `insertDeployment` (so each environment's approval
 * policy and strategy apply), each inserted only once every service it depends on has succeeded — its instances
 * healthy. A stack deployment is advanced by `advanceStackDeployment`, called right away and then by slipwayd's loop
 * until every service has settled; each pass is one transaction, so a crash between passes loses nothing.
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { insertDeployment } from '../use-cases/deployments.js';
import { getAppScope } from '../use-cases/lookups.js';
import type { Repositories } from '../ports/store.js';
import { getGitRepository } from '../git/repository-remotes.js';
import { fileComposeInput, planCompose, planServices, type PlannedStack } from './stack-plans.js';
import type { StackDeploymentRecord, StackRecord, StackServiceDeployment } from './stack-records.js';
import { planRepositoryStack } from './repository-stacks.js';
import { ensureStackApps } from './stack-apps.js';

/** The exact commit of the stack's repository to deploy (a push, a rule, the reconcile sweep). */
export interface StackCommitSource {
  repositoryId: string;
  /** The full ref that led to the commit (`refs/heads/main`). */
  ref: string;
  commit: string;
}

export interface DeployStackOptions {
  /** Default `production`. */
  environment?: string;
  requestedBy?: string;
  /** A repository stack without `source`: the branch or tag whose head to deploy (default: the stack's ref). */
  ref?: string;
  /**
   * Runs in the transaction that records the stack deployment, which commits only if it returns: a deployment rule
   * records its (rule, commit) firing there, so a crash can never leave the pair fired and not deployed.
   */
  inTransaction?: (tx: Repositories, record: StackDeploymentRecord) => Promise<void>;
}

async function findStack(deps: Pick<CoreDeps, 'store'>, stackId: string): Promise<StackRecord> {
  const stack = await deps.store.stacks.findById(stackId);
  if (stack === undefined)
    throw new SlipwayError('STACK_NOT_FOUND', `no stack with id "${stackId}"`, { details: { stack: stackId } });
  return stack;
}

async function assertNotDeploying(tx: Repositories, stack: StackRecord, environment: string): Promise<void> {
  const running = (await tx.stacks.listDeployments(stack.id, 50)).find(
    (d) => d.state === 'running' && d.environment === environment,
  );
  if (running !== undefined)
    throw new SlipwayError(
      'DEPLOYMENT_IN_PROGRESS',
      `stack deployment ${running.id} of "${stack.name}" (${environment}) is still running; wait for it (slipway stack show ${stack.name})`,
      { details: { stackDeploymentId: running.id } },
    );
}

/** Writes the stack deployment (refused while another runs in the environment), then advances it once. */
async function startStackDeployment(
  deps: CoreDeps,
  stack: StackRecord,
  draft: Omit<
    StackDeploymentRecord,
    'id' | 'stackId' | 'state' | 'reason' | 'createdAtMs' | 'updatedAtMs' | 'finishedAtMs'
  >,
  inTransaction?: DeployStackOptions['inTransaction'],
): Promise<StackDeploymentRecord> {
  const now = deps.clock.nowMs();
  const record: StackDeploymentRecord = {
    ...draft,
    id: deps.ids.next('sdp'),
    stackId: stack.id,
    state: 'running',
    reason: null,
    createdAtMs: now,
    updatedAtMs: now,
    finishedAtMs: null,
  };
  await deps.store.transaction(async (tx) => {
    await assertNotDeploying(tx, stack, record.environment);
    await tx.stacks.insertDeployment(record);
    await inTransaction?.(tx, record);
  });
  deps.logger.info({ stack: stack.name, stackDeploymentId: record.id, kind: record.kind }, 'stack deployment started');
  return (await advanceStackDeployment(deps, record.id)) ?? record;
}

/**
 * Deploys every service of the stack to `environment`, each after what it depends on is healthy. A repository stack
 * deploys `source.commit` (default: the head of its ref), reading its compose file at that commit; a file stack, the
 * file it was last given. Services new to the file get their apps first. Errors: `STACK_NOT_FOUND`,
 * `DEPLOYMENT_IN_PROGRESS` (a stack deployment runs in that environment), `COMPOSE_INVALID`, `VALIDATION_FAILED` (a
 * source of another repository), those of the repository's mirror.
 */
export async function deployStack(
  deps: CoreDeps,
  stackId: string,
  source?: StackCommitSource,
  options: DeployStackOptions = {},
): Promise<StackDeploymentRecord> {
  const stack = await findStack(deps, stackId);
  const environment = options.environment ?? 'production';
  const context = { stackName: stack.name, prefix: stack.prefix, runtime: stack.runtime, environment };
  let planned: PlannedStack;
  let at: { commit: string; ref: string } | undefined;
  if (stack.source.kind === 'file') {
    if (source !== undefined)
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `stack "${stack.name}" is deployed from a compose file, not a repository`,
      );
    const { localAccess } = stack.source;
    planned = planServices(planCompose(fileComposeInput(stack.source), context), {
      kind: 'file',
      ...(localAccess === undefined ? {} : { localAccess }),
    });
  } else {
    if (source !== undefined && source.repositoryId !== stack.source.repositoryId)
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `stack "${stack.name}" is not deployed from repository ${source.repositoryId}`,
      );
    const repository = await getGitRepository(deps.store, stack.source.repositoryId);
    const ref = source?.ref ?? options.ref ?? stack.source.ref;
    const plan = await planRepositoryStack(deps, repository, stack.source.path, ref, source?.commit, context);
    planned = plan.planned;
    at = { commit: plan.commit, ref: plan.ref };
  }
  const project = await deps.store.projects.findById(stack.projectId);
  if (project === undefined) throw new SlipwayError('INTERNAL', `the project of stack "${stack.name}" is gone`);
  const services = await ensureStackApps(deps, project, planned);
  await deps.store.stacks.update({ ...stack, services, notices: planned.notices, updatedAtMs: deps.clock.nowMs() });
  return startStackDeployment(
    deps,
    stack,
    {
      environment,
      kind: 'deploy',
      commit: at?.commit ?? null,
      ref: at?.ref ?? null,
      requestedBy: options.requestedBy ?? null,
      services: planned.services.map((service) => ({
        service: service.plan.service,
        app: service.plan.app,
        dependsOn: service.plan.dependsOn,
        source: service.source,
        deploymentId: null,
        state: 'waiting',
        reason: null,
      })),
    },
    options.inTransaction,
  );
}

/**
 * Rolls each service of the stack back to the release before its current one, in dependency order, without a
 * build. A service with no older release is skipped (said so), the others still roll back. Errors:
 * `STACK_NOT_FOUND`, `DEPLOYMENT_IN_PROGRESS`, `NO_RELEASE` (no service has anything to roll back to).
 */
export async function rollbackStack(
  deps: CoreDeps,
  stackId: string,
  options: DeployStackOptions = {},
): Promise<StackDeploymentRecord> {
  const stack = await findStack(deps, stackId);
  const environment = options.environment ?? 'production';
  const services: StackServiceDeployment[] = [];
  for (const service of stack.services) {
    const base = { service: service.service, app: service.app, dependsOn: service.dependsOn, deploymentId: null };
    const target = await previousRelease(deps.store, service.app, environment);
    services.push(
      typeof target === 'string'
        ? { ...base, source: null, state: 'skipped', reason: target }
        : { ...base, source: { kind: 'release', releaseId: target.releaseId }, state: 'waiting', reason: null },
    );
  }
  if (services.every((service) => service.state === 'skipped'))
    throw new SlipwayError('NO_RELEASE', `no service of stack "${stack.name}" has a release to roll back to`, {
      details: { reasons: services.map((s) => `${s.service}: ${s.reason ?? ''}`) },
    });
  return startStackDeployment(deps, stack, {
    environment,
    kind: 'rollback',
    commit: null,
    ref: null,
    requestedBy: options.requestedBy ?? null,
    services,
  });
}

/** The release before the app's current one in `environment`, or why there is none. */
async function previousRelease(
  repos: Repositories,
  appName: string,
  environment: string,
): Promise<{ releaseId: string } | string> {
  const scope = await getAppScope(repos, appName, environment).catch((error: unknown) => {
    if (isSlipwayError(error)) return error.message;
    throw error;
  });
  if (typeof scope === 'string') return scope;
  const releases = await repos.releases.list(scope.app.id, scope.environment.id);
  const current = releases.find((r) => r.id === scope.appEnvironment.currentReleaseId);
  if (current === undefined) return 'no live release';
  const target = releases.find((r) => r.number < current.number);
  return target === undefined ? `no release older than ${current.number}` : { releaseId: target.id };
}

/** One service's next state from its deployment's, when it has one running. */
async function settle(tx: Repositories, service: StackServiceDeployment): Promise<StackServiceDeployment> {
  if (service.state !== 'deploying' || service.deploymentId === null) return service;
  const deployment = await tx.deployments.findById(service.deploymentId);
  if (deployment === undefined)
    return { ...service, state: 'failed', reason: `deployment ${service.deploymentId} no longer exists` };
  if (deployment.state === 'succeeded') return { ...service, state: 'succeeded' };
  if (deployment.state === 'failed' || deployment.state === 'cancelled') {
    const why = deployment.failure === null ? '' : `: ${deployment.failure.reason}`;
    return { ...service, state: 'failed', reason: `deployment ${deployment.id} ${deployment.state}${why}` };
  }
  return service;
}

/**
 * One pass over a running stack deployment, in one transaction, in dependency order: a service whose deployment ended
 * settles; a waiting service whose dependencies all succeeded gets its deployment; one whose dependency failed or was
 * skipped is skipped. When nothing is left waiting or deploying, the stack deployment ends (`failed` if any service
 * did). Idempotent; returns the record as it stands (undefined when there is none).
 */
export async function advanceStackDeployment(deps: CoreDeps, id: string): Promise<StackDeploymentRecord | undefined> {
  const before = await deps.store.stacks.findDeployment(id);
  const after = await deps.store.transaction(async (tx) => {
    const record = await tx.stacks.findDeployment(id);
    if (record?.state !== 'running') return record;
    const states = new Map<string, StackServiceDeployment['state']>();
    const services: StackServiceDeployment[] = [];
    for (const current of record.services) {
      let service = await settle(tx, current);
      if (service.state === 'waiting') {
        const blocked = service.dependsOn.find((d) => states.get(d) === 'failed' || states.get(d) === 'skipped');
        if (blocked !== undefined) service = { ...service, state: 'skipped', reason: `${blocked} did not deploy` };
        else if (service.dependsOn.every((d) => states.get(d) === 'succeeded' || !states.has(d)))
          service = await startService(deps, tx, record, service);
      }
      states.set(service.service, service.state);
      services.push(service);
    }
    const isSettled = services.every((s) => s.state !== 'waiting' && s.state !== 'deploying');
    const failed = services.filter((s) => s.state === 'failed');
    const now = deps.clock.nowMs();
    const next: StackDeploymentRecord = {
      ...record,
      services,
      updatedAtMs: now,
      ...(isSettled
        ? {
            state: failed.length === 0 ? 'succeeded' : 'failed',
            reason: failed.length === 0 ? null : `failed: ${failed.map((s) => s.service).join(', ')}`,
            finishedAtMs: now,
          }
        : {}),
    };
    if (JSON.stringify(next.services) !== JSON.stringify(record.services) || next.state !== record.state)
      await tx.stacks.updateDeployment(next);
    return next;
  });
  if (after !== undefined && before?.state === 'running' && after.state !== 'running')
    deps.logger.info({ stackDeploymentId: id, state: after.state }, 'stack deployment ended');
  return after;
}

/** Inserts the service's deployment; a refusal (an app stopped, a deployment running) fails the service, saying why. */
async function startService(
  deps: CoreDeps,
  tx: Repositories,
  record: StackDeploymentRecord,
  service: StackServiceDeployment,
): Promise<StackServiceDeployment> {
  if (service.source === null) return { ...service, state: 'skipped', reason: service.reason ?? 'nothing to deploy' };
  try {
    const scope = await getAppScope(tx, service.app, record.environment);
    const deployment = await insertDeployment(deps, tx, scope, {
      app: service.app,
      environment: record.environment,
      source: service.source,
      kind: record.kind,
      ...(record.requestedBy === null ? {} : { requestedBy: record.requestedBy }),
    });
    return { ...service, deploymentId: deployment.id, state: 'deploying' };
  } catch (error) {
    if (!isSlipwayError(error)) throw error;
    return { ...service, state: 'failed', reason: `its deployment was refused (${error.code}): ${error.message}` };
  }
}

/** Advances every running stack deployment once (slipwayd's loop). */
export async function advanceStackDeployments(deps: CoreDeps): Promise<void> {
  for (const record of await deps.store.stacks.listRunningDeployments()) await advanceStackDeployment(deps, record.id);
}
