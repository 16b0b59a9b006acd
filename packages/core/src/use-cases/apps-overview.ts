/**
 * The apps overview of one project environment: a row per app with its status (judged here, `unknown` once its
 * instances went unobserved for three probe intervals), current release, instances by health and last deployment.
 * Whatever the number of apps, it reads five lists (apps, app environments, instances, latest deployments, current
 * releases); releases are immutable, so their summaries are kept between calls by the caller's `ReleaseSummaries`.
 */
import {
  SlipwayError,
  type AppOverviewRow,
  type AppStatusName,
  type AppsOverviewQuery,
  type AppsOverviewView,
} from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { resolveProcesses } from '../domain/process-plan.js';
import type { AppEnvironmentRecord, DeploymentRecord, InstanceRecord, ReleaseRecord } from '../domain/records.js';
import { isCrashLooping } from './crash-loop.js';

/** When the health monitor last looked at an instance, and how often it looks (ms); absent before its first look. */
export type InstanceObservations = (instanceId: string) => { atMs: number; intervalMs: number } | undefined;

/** A status is `unknown` once its instances went unobserved for this many probe intervals. */
export const staleAfterProbeIntervals = 3;

export interface ReleaseSummary {
  readonly number: number;
  readonly commit: string | null;
  readonly imageDigest: string | null;
  readonly createdAtMs: number;
  readonly desiredByScale: Map<string, number>;
  readonly record: Pick<ReleaseRecord, 'processes' | 'manifest'>;
}

/** Summaries of releases by id, shared between calls (releases never change); bounded by `maxEntries`. */
export class ReleaseSummaries {
  private readonly byId = new Map<string, ReleaseSummary>();
  constructor(private readonly maxEntries = 10_000) {}

  async load(deps: Pick<CoreDeps, 'store'>, ids: readonly string[]): Promise<Map<string, ReleaseSummary>> {
    const missing = ids.filter((id) => !this.byId.has(id));
    if (missing.length > 0) {
      if (this.byId.size + missing.length > this.maxEntries) this.byId.clear();
      for (const release of await deps.store.releases.listByIds([...new Set(missing)])) {
        this.byId.set(release.id, {
          number: release.number,
          commit: release.source.kind === 'git' ? (release.source.commit ?? null) : null,
          imageDigest: release.image?.digest ?? null,
          createdAtMs: release.createdAtMs,
          desiredByScale: new Map(),
          record: { processes: release.processes, manifest: release.manifest },
        });
      }
    }
    return new Map(ids.flatMap((id) => (this.byId.has(id) ? [[id, this.byId.get(id) as ReleaseSummary]] : [])));
  }
}

/** Instances the release's processes ask for at this scale (kept per scale: it is asked for on every pass). */
function desiredOf(summary: ReleaseSummary, scale: Readonly<Record<string, number>>): number {
  const key = JSON.stringify(scale);
  let desired = summary.desiredByScale.get(key);
  if (desired === undefined) {
    desired = resolveProcesses(summary.record.processes, summary.record.manifest, scale).reduce(
      (sum, process) => sum + process.replicas,
      0,
    );
    if (summary.desiredByScale.size > 20) summary.desiredByScale.clear();
    summary.desiredByScale.set(key, desired);
  }
  return desired;
}

export interface AppsOverviewDeps {
  readonly store: CoreDeps['store'];
  readonly settings: Pick<CoreDeps['settings'], 'crashLoopRestarts' | 'reconcileIntervalMs'>;
  readonly clock: Pick<CoreDeps['clock'], 'nowMs'>;
  readonly observations: InstanceObservations;
  readonly releases: ReleaseSummaries;
}

/** Every app's row of one project environment, by app name. Errors: `PROJECT_NOT_FOUND`, `ENVIRONMENT_NOT_FOUND`. */
export async function readAppsOverviewRows(
  deps: AppsOverviewDeps,
  input: { project: string; environment: string },
): Promise<AppOverviewRow[]> {
  const { store } = deps;
  const project = await store.projects.findByName(input.project);
  if (project === undefined) {
    throw new SlipwayError('PROJECT_NOT_FOUND', `no project named "${input.project}"`, {
      details: { project: input.project },
    });
  }
  const environment = await store.environments.find(project.id, input.environment);
  if (environment === undefined) {
    throw new SlipwayError(
      'ENVIRONMENT_NOT_FOUND',
      `project ${project.name} has no environment named "${input.environment}"`,
      { details: { project: project.name, environment: input.environment } },
    );
  }
  const [apps, appEnvironments, instances, deployments] = await Promise.all([
    store.apps.list(),
    store.appEnvironments.list(),
    store.instances.list({ environmentId: environment.id }),
    store.deployments.listLatestOfEnvironment(environment.id),
  ]);
  const appEnvironmentOf = new Map(
    appEnvironments.filter((ae) => ae.environmentId === environment.id).map((ae) => [ae.appId, ae]),
  );
  const instancesOf = new Map<string, InstanceRecord[]>();
  for (const instance of instances) {
    const list = instancesOf.get(instance.appId);
    if (list === undefined) instancesOf.set(instance.appId, [instance]);
    else list.push(instance);
  }
  const lastDeploymentOf = new Map(deployments.map((d) => [d.appId, d]));
  const releaseIds = [...appEnvironmentOf.values()].flatMap((ae) =>
    ae.currentReleaseId === null ? [] : [ae.currentReleaseId],
  );
  const releases = await deps.releases.load(deps, releaseIds);
  const nowMs = deps.clock.nowMs();
  return apps
    .filter((app) => app.projectId === project.id)
    .map((app) => {
      const appEnvironment = appEnvironmentOf.get(app.id);
      const release =
        appEnvironment?.currentReleaseId == null ? undefined : releases.get(appEnvironment.currentReleaseId);
      return appOverviewRowOf(deps, nowMs, {
        name: app.name,
        appEnvironment,
        release,
        instances: instancesOf.get(app.id) ?? [],
        lastDeployment: lastDeploymentOf.get(app.id),
      });
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const statusOrder: Readonly<Record<AppStatusName, number>> = {
  crashing: 0,
  degraded: 1,
  unknown: 2,
  deploying: 3,
  starting: 4,
  running: 5,
  stopped: 6,
  'not-deployed': 7,
};

/** One page of rows, searched and sorted as asked. Errors: those of `readAppsOverviewRows`. */
export async function readAppsOverview(
  deps: AppsOverviewDeps,
  input: { project: string } & AppsOverviewQuery,
): Promise<AppsOverviewView> {
  const all = await readAppsOverviewRows(deps, input);
  const needle = input.search?.toLowerCase();
  const matching = needle === undefined ? all : all.filter((row) => row.name.toLowerCase().includes(needle));
  const direction = input.order === 'asc' ? 1 : -1;
  const byName = (a: AppOverviewRow, b: AppOverviewRow): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  // The order asked for, then the name ascending among equals.
  const primary = (a: AppOverviewRow, b: AppOverviewRow): number => {
    switch (input.sort) {
      case 'name':
        return byName(a, b);
      case 'status':
        return statusOrder[a.status] - statusOrder[b.status];
      case 'last-deployment':
        return (a.lastDeployment?.createdAt ?? '').localeCompare(b.lastDeployment?.createdAt ?? '');
    }
  };
  const sorted = [...matching].sort((a, b) => direction * primary(a, b) || byName(a, b));
  return {
    project: input.project,
    environment: input.environment,
    total: matching.length,
    offset: input.offset,
    limit: input.limit,
    apps: sorted.slice(input.offset, input.offset + input.limit),
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** One app environment's row, from its records and its current release's summary. */
export function appOverviewRowOf(
  deps: AppsOverviewDeps,
  nowMs: number,
  input: {
    name: string;
    appEnvironment: AppEnvironmentRecord | undefined;
    release: ReleaseSummary | undefined;
    instances: readonly InstanceRecord[];
    lastDeployment: DeploymentRecord | undefined;
  },
): AppOverviewRow {
  const live = input.instances.filter((i) => i.state !== 'draining' && i.state !== 'stopping' && i.state !== 'stopped');
  const count = (state: InstanceRecord['state']): number => live.filter((i) => i.state === state).length;
  const desired =
    input.release === undefined || input.appEnvironment === undefined
      ? 0
      : desiredOf(input.release, input.appEnvironment.scale);
  const instances = {
    total: live.length,
    healthy: count('healthy'),
    starting: count('starting'),
    unhealthy: count('unhealthy'),
    crashed: count('crashed'),
    crashLooping: live.filter((i) => isCrashLooping(i, deps.settings)).length,
    desired,
  };
  const observed = observationOf(deps, nowMs, live);
  const last = input.lastDeployment;
  return {
    name: input.name,
    status: statusOf({
      ...input,
      instances,
      isStale: observed.isStale,
      isRunStopped: input.appEnvironment?.runState === 'stopped',
    }),
    observedAt: observed.atMs === null ? null : iso(observed.atMs),
    staleAfterMs: observed.staleAfterMs,
    release:
      input.release === undefined
        ? null
        : {
            number: input.release.number,
            commit: input.release.commit,
            imageDigest: input.release.imageDigest,
            createdAt: iso(input.release.createdAtMs),
          },
    instances,
    lastDeployment:
      last === undefined
        ? null
        : {
            id: last.id,
            kind: last.kind,
            state: last.state,
            createdAt: iso(last.createdAtMs),
            finishedAt: last.finishedAtMs === null ? null : iso(last.finishedAtMs),
          },
  };
}

/**
 * The oldest last look at the instances the monitor probes, how old that look may grow (that instance's three probe
 * intervals), and whether any went unlooked-at for too long. One never looked at since slipwayd started counts from
 * its record's last change.
 */
function observationOf(
  deps: AppsOverviewDeps,
  nowMs: number,
  live: readonly InstanceRecord[],
): { atMs: number | null; staleAfterMs: number | null; isStale: boolean } {
  let atMs: number | null = null;
  let staleAfterMs: number | null = null;
  let isStale = false;
  for (const instance of live) {
    if (instance.state !== 'starting' && instance.state !== 'healthy' && instance.state !== 'unhealthy') continue;
    const seen = deps.observations(instance.id);
    const at = seen?.atMs ?? instance.updatedAtMs;
    const intervalMs = seen?.intervalMs ?? deps.settings.reconcileIntervalMs;
    const allowedMs = staleAfterProbeIntervals * Math.max(intervalMs, deps.settings.reconcileIntervalMs);
    if (nowMs - at > allowedMs) isStale = true;
    if (atMs === null || at < atMs) {
      atMs = at;
      staleAfterMs = allowedMs;
    }
  }
  return { atMs, staleAfterMs, isStale };
}

function statusOf(input: {
  appEnvironment: AppEnvironmentRecord | undefined;
  release: ReleaseSummary | undefined;
  lastDeployment: DeploymentRecord | undefined;
  instances: AppOverviewRow['instances'];
  isStale: boolean;
  isRunStopped: boolean;
}): AppStatusName {
  const { instances } = input;
  if (input.lastDeployment?.state === 'pending' || input.lastDeployment?.state === 'running') return 'deploying';
  if (input.appEnvironment === undefined || input.release === undefined) return 'not-deployed';
  if (input.isRunStopped || (instances.desired === 0 && instances.total === 0)) return 'stopped';
  if (instances.crashLooping > 0) return 'crashing';
  if (input.isStale) return 'unknown';
  if (instances.unhealthy > 0 || instances.crashed > 0) return 'degraded';
  if (instances.healthy >= instances.desired) return 'running';
  return 'starting';
}
