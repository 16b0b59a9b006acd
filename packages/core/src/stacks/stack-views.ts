/** Stacks as the API shows them: each service's health in one environment and the stack's status. */
import type { StackDeploymentView, StackView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { StackDeploymentRecord, StackRecord, StackServiceRecord } from './stack-records.js';

type ServiceView = StackView['services'][number];

const iso = (ms: number): string => new Date(ms).toISOString();

export function stackDeploymentView(stackName: string, record: StackDeploymentRecord): StackDeploymentView {
  return {
    id: record.id,
    stack: stackName,
    environment: record.environment,
    kind: record.kind,
    state: record.state,
    commit: record.commit,
    ref: record.ref,
    services: record.services.map((s) => ({
      service: s.service,
      app: s.app,
      dependsOn: [...s.dependsOn],
      deploymentId: s.deploymentId,
      state: s.state,
      reason: s.reason,
    })),
    reason: record.reason,
    createdAt: iso(record.createdAtMs),
    finishedAt: record.finishedAtMs === null ? null : iso(record.finishedAtMs),
  };
}

/** A service's release and the health of that release's instances in `environmentId`. */
async function serviceView(
  deps: Pick<CoreDeps, 'store'>,
  service: StackServiceRecord,
  environmentId: string | undefined,
): Promise<ServiceView> {
  const base = {
    service: service.service,
    app: service.app,
    dependsOn: [...service.dependsOn],
    source: service.source,
  };
  const appEnvironment =
    environmentId === undefined ? undefined : await deps.store.appEnvironments.find(service.appId, environmentId);
  const releaseId = appEnvironment?.currentReleaseId ?? null;
  if (appEnvironment === undefined || releaseId === null)
    return { ...base, health: 'not-deployed', release: null, instances: { total: 0, healthy: 0 } };
  const release = await deps.store.releases.findById(releaseId);
  const instances = (
    await deps.store.instances.list({ appId: service.appId, environmentId: appEnvironment.environmentId, releaseId })
  ).filter((i) => i.state !== 'stopped' && i.state !== 'stopping' && i.state !== 'draining');
  const healthy = instances.filter((i) => i.state === 'healthy').length;
  const isStarting = instances.some((i) => i.state === 'starting');
  const health: ServiceView['health'] =
    instances.length > 0 && healthy === instances.length ? 'healthy' : isStarting ? 'starting' : 'unhealthy';
  return { ...base, health, release: release?.number ?? null, instances: { total: instances.length, healthy } };
}

/**
 * The stack in `environment`: `deploying` while a stack deployment runs there, `failed` when the last one failed,
 * otherwise from its services' health — all healthy, some not (`degraded`), or none deployed.
 */
export async function stackView(
  deps: Pick<CoreDeps, 'store'>,
  stack: StackRecord,
  environment: string,
): Promise<StackView> {
  const project = await deps.store.projects.findById(stack.projectId);
  const environmentId = (await deps.store.environments.find(stack.projectId, environment))?.id;
  const services = await Promise.all(stack.services.map((s) => serviceView(deps, s, environmentId)));
  const last = (await deps.store.stacks.listDeployments(stack.id, 50)).find((d) => d.environment === environment);
  const isNotDeployed = services.every((s) => s.health === 'not-deployed');
  const status: StackView['status'] =
    last?.state === 'running'
      ? 'deploying'
      : last?.state === 'failed'
        ? 'failed'
        : isNotDeployed
          ? 'not-deployed'
          : services.every((s) => s.health === 'healthy')
            ? 'healthy'
            : 'degraded';
  let source: StackView['source'];
  if (stack.source.kind === 'file') source = { kind: 'file', fileName: stack.source.fileName };
  else {
    const repository = await deps.store.gitRepositories.findById(stack.source.repositoryId);
    source = {
      kind: 'repository',
      repository: repository?.name ?? stack.source.repositoryId,
      path: stack.source.path,
      ref: stack.source.ref,
    };
  }
  return {
    id: stack.id,
    name: stack.name,
    project: project?.name ?? '',
    runtime: stack.runtime,
    source,
    environment,
    status,
    services,
    notices: stack.notices.map((n) => ({ path: n.path, reason: n.reason })),
    lastDeployment: last === undefined ? null : stackDeploymentView(stack.name, last),
    createdAt: iso(stack.createdAtMs),
    updatedAt: iso(stack.updatedAtMs),
  };
}
