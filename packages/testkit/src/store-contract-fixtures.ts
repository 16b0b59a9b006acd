/** Records and helpers shared by the Store contract suites: one project with two environments and two apps. */
import { isSlipwayError } from '@slipway/contract';
import type { SlipwayError } from '@slipway/contract';
import type {
  AppEnvironmentRecord,
  AppRecord,
  DeploymentRecord,
  EnvironmentRecord,
  InstanceRecord,
  JobRecord,
  PhaseRecord,
  ProjectRecord,
  ReleaseRecord,
  RouteRecord,
  Store,
} from '@slipway/core';

/** 2026-01-01: epoch ms beyond 32 bits, so a store that truncates times fails. */
export const t0 = 1_767_225_600_000;

export const project: ProjectRecord = { id: 'prj_01', name: 'acme', createdAtMs: t0 };
export const otherProject: ProjectRecord = { id: 'prj_02', name: 'globex', createdAtMs: t0 + 1 };
export const production: EnvironmentRecord = { id: 'env_01', projectId: 'prj_01', name: 'production', createdAtMs: t0 };
export const staging: EnvironmentRecord = { id: 'env_02', projectId: 'prj_01', name: 'staging', createdAtMs: t0 + 1 };
export const web: AppRecord = { id: 'app_01', projectId: 'prj_01', name: 'web', createdAtMs: t0 };
export const api: AppRecord = { id: 'app_02', projectId: 'prj_01', name: 'api', createdAtMs: t0 + 1 };

export const appEnvironment = (over: Partial<AppEnvironmentRecord> = {}): AppEnvironmentRecord => ({
  appId: web.id,
  environmentId: production.id,
  currentReleaseId: null,
  scale: { web: 2, worker: 0 },
  config: { DATABASE_URL: 'postgres://db/acme', EMPTY: '' },
  runState: 'running',
  maintenance: null,
  version: 1,
  updatedAtMs: t0,
  ...over,
});

export const release = (id: string, number: number, over: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  id,
  appId: web.id,
  environmentId: production.id,
  number,
  artifactDir: `/var/lib/slipway/artifacts/${id}`,
  builder: 'node',
  image: null,
  source: { kind: 'git', url: 'https://git.example/acme/web.git', ref: 'main', commit: 'a1b2c3d' },
  processes: { web: { command: 'node server.js' }, worker: { command: 'node worker.js' } },
  runtimePrefix: 'export PATH="$PWD/node_modules/.bin:$PATH";',
  manifest: {
    processes: {
      web: {
        replicas: 2,
        healthCheck: { type: 'tcp', intervalSeconds: 2, timeoutSeconds: 2, retries: 3, startPeriodSeconds: 30 },
      },
    },
    env: { NODE_ENV: 'production' },
    routes: [{ host: 'web.example.com', path: '/', process: 'web' }],
  },
  config: { NODE_ENV: 'production', QUOTE: 'say "hi" \u00e9\u2603' },
  configVars: { QUOTE: 'say "hi" \u00e9\u2603' },
  createdAtMs: t0 + number,
  ...over,
});

export const deployment = (id: string, over: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  id,
  appId: web.id,
  environmentId: production.id,
  kind: 'deploy',
  state: 'pending',
  phase: null,
  source: { kind: 'path', path: '/srv/acme/web' },
  sourceView: null,
  releaseId: null,
  previousReleaseId: null,
  config: null,
  failure: null,
  cancellation: null,
  createdAtMs: t0,
  updatedAtMs: t0,
  finishedAtMs: null,
  ...over,
});

export const phase = (deploymentId: string, seq: number, over: Partial<PhaseRecord> = {}): PhaseRecord => ({
  deploymentId,
  seq,
  phase: 'fetch',
  state: 'running',
  startedAtMs: t0 + seq,
  finishedAtMs: null,
  detail: null,
  ...over,
});

export const instance = (id: string, over: Partial<InstanceRecord> = {}): InstanceRecord => ({
  id,
  appId: web.id,
  environmentId: production.id,
  releaseId: 'rel_01',
  deploymentId: null,
  process: 'web',
  state: 'starting',
  runtime: 'process',
  limits: null,
  lastExitReason: null,
  host: null,
  port: null,
  pid: null,
  restarts: 0,
  lastExitCode: null,
  startedAtMs: null,
  healthyAtMs: null,
  restartAfterMs: null,
  updatedAtMs: t0,
  ...over,
});

export const route = (id: string, over: Partial<RouteRecord> = {}): RouteRecord => ({
  id,
  appId: web.id,
  environmentId: production.id,
  host: 'web.example.com',
  pathPrefix: '/',
  process: 'web',
  timeoutMs: null,
  origin: 'default',
  ...over,
});

export const job = (id: string, deploymentId: string, over: Partial<JobRecord> = {}): JobRecord => ({
  id,
  kind: 'deployment',
  deploymentId,
  state: 'queued',
  attempts: 0,
  leaseOwner: null,
  leaseUntilMs: null,
  runAfterMs: t0,
  lastError: null,
  createdAtMs: t0,
  ...over,
});

export const byId = <T extends { id: string }>(records: readonly T[]): T[] =>
  [...records].sort((a, b) => (a.id < b.id ? -1 : 1));

/** The SlipwayError `promise` rejects with; fails the test when it resolves or rejects with something else. */
export async function rejection(promise: Promise<unknown>): Promise<SlipwayError> {
  const outcome = await promise.then(
    () => ({ isRejected: false as const }),
    (error: unknown) => ({ isRejected: true as const, error }),
  );
  if (!outcome.isRejected) throw new Error('expected the call to reject, but it resolved');
  if (!isSlipwayError(outcome.error)) throw outcome.error;
  return outcome.error;
}

/** One of everything under an app environment; returns the ids to look for. */
export async function populate(store: Store, app: AppRecord, suffix: string) {
  const ids = {
    release: `rel_${suffix}`,
    deployment: `dep_${suffix}`,
    instance: `ins_${suffix}`,
    route: `rte_${suffix}`,
    job: `job_${suffix}`,
  };
  const under = { appId: app.id, environmentId: production.id };
  await store.appEnvironments.insert(appEnvironment(under));
  await store.releases.insert(release(ids.release, 1, under));
  await store.deployments.insert(deployment(ids.deployment, { ...under, releaseId: ids.release }));
  await store.phases.append(phase(ids.deployment, 1));
  await store.events.append({ deploymentId: ids.deployment, type: 'log', payload: { line: 'hello' }, atMs: t0 });
  await store.instances.insert(instance(ids.instance, { ...under, releaseId: ids.release }));
  await store.routes.replaceForApp(app.id, production.id, [
    route(ids.route, { ...under, host: `${app.name}.example.com` }),
  ]);
  await store.jobs.enqueue(job(ids.job, ids.deployment));
  return ids;
}
