/**
 * The metrics history's sampler: every interval, whether or not anyone looks, it records each release's traffic
 * (from the edge's per-release counters, the autoscaler's source) and each running instance's CPU and memory (from its
 * runtime's `stats()`), then now and then prunes what is older than the retention or beyond an app's row budget.
 */
import type { EdgeMetrics } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { InstanceRecord } from '../domain/records.js';
import type { InstanceSampleRecord, TrafficSampleRecord } from '../ports/metric-sample-repository.js';
import { readRouterCursor, type RouterCursor } from '../delivery/router-metric.js';
import { createPeriodicPass } from '../controller/periodic-pass.js';
import { nextEventLoopTurn, scopesPerTurn } from '../controller/event-loop-turn.js';
import { trafficSampleOf } from './traffic-sample.js';

export interface MetricsHistorySettings {
  /** Between two samples. */
  readonly intervalMs: number;
  /** Samples older than this are deleted. */
  readonly retentionMs: number;
  /** Samples of each kind an app keeps at most (its newest), whatever its instance count. */
  readonly maxRowsPerApp: number;
}

export const defaultMetricsHistorySettings: MetricsHistorySettings = {
  intervalMs: 15_000,
  retentionMs: 7 * 86_400_000,
  maxRowsPerApp: 500_000,
};

/** Pruning runs at most this often (and on the first pass): deleting is cheap, but not free on every pass. */
const pruneEveryMs = 60_000;
/** Runtime `stats()` calls under way at once (each has the runtime call deadline). */
const statsConcurrency = 8;
/** Release numbers by release id; releases never change, so the cache is only bounded. */
const maxCachedReleases = 10_000;

export interface MetricSampler {
  /** Takes one sample of everything; passes never overlap. */
  sample(): Promise<void>;
  /** Deletes samples past the retention and beyond each app's row budget; returns how many. Idempotent. */
  prune(): Promise<number>;
  start(): void;
  /** Stops the loop and waits for a pass under way. */
  stop(): Promise<void>;
}

type Deps = Pick<CoreDeps, 'store' | 'router' | 'runtimes' | 'clock' | 'logger'>;

const liveStates: ReadonlySet<InstanceRecord['state']> = new Set(['starting', 'healthy', 'unhealthy']);

interface AppEnvironmentScope {
  appId: string;
  environmentId: string;
  app: string;
  environment: string;
  currentReleaseNumber: number | null;
}

export function createMetricSampler(deps: Deps, settings: MetricsHistorySettings): MetricSampler {
  const { store, logger, clock } = deps;
  /** The previous read of each release's counters (`app environment number`), to turn them into an interval. */
  const cursors = new Map<string, RouterCursor>();
  /**
   * The previous successful read of the edge: when it was and which releases it counted. A release it did not count
   * has served every request of its counters since then, so its first interval starts there at 0 (else the requests
   * of a release's first moments, before any pass saw it, would vanish into its first read).
   */
  let previousEdgeRead: { atMs: number; releaseKeys: ReadonlySet<string> } | undefined;
  const releaseNumbers = new Map<string, number>();
  let nextPruneAtMs = 0;
  /** Samples are keyed by their time: a pass at the same time as the last one (a clock that stood still) records nothing. */
  let lastSampleAtMs = -Infinity;

  const releaseNumberOf = async (releaseId: string | null): Promise<number | null> => {
    if (releaseId === null) return null;
    const known = releaseNumbers.get(releaseId);
    if (known !== undefined) return known;
    const release = await store.releases.findById(releaseId);
    if (release === undefined) return null;
    if (releaseNumbers.size >= maxCachedReleases) releaseNumbers.clear();
    releaseNumbers.set(releaseId, release.number);
    return release.number;
  };

  const listScopes = async (): Promise<Map<string, AppEnvironmentScope>> => {
    const apps = new Map((await store.apps.list()).map((app) => [app.id, app]));
    const environments = new Map<string, string | undefined>();
    const scopes = new Map<string, AppEnvironmentScope>();
    for (const appEnvironment of await store.appEnvironments.list()) {
      const app = apps.get(appEnvironment.appId);
      if (!environments.has(appEnvironment.environmentId)) {
        environments.set(
          appEnvironment.environmentId,
          (await store.environments.findById(appEnvironment.environmentId))?.name,
        );
      }
      const environment = environments.get(appEnvironment.environmentId);
      if (app === undefined || environment === undefined) continue;
      const isServing = appEnvironment.runState !== 'stopped';
      scopes.set(`${app.name} ${environment}`, {
        appId: app.id,
        environmentId: appEnvironment.environmentId,
        app: app.name,
        environment,
        currentReleaseNumber: isServing ? await releaseNumberOf(appEnvironment.currentReleaseId) : null,
      });
    }
    return scopes;
  };

  /** Each release the edge counts, and each app environment's current release (so an idle one reads 0, not nothing). */
  const trafficSamples = (
    edge: EdgeMetrics,
    scopes: ReadonlyMap<string, AppEnvironmentScope>,
    inFlightByRelease: ReadonlyMap<string, number>,
    nowMs: number,
  ): TrafficSampleRecord[] => {
    const releases = new Map<string, { scope: AppEnvironmentScope; releaseNumber: number }>();
    for (const scope of scopes.values()) {
      if (scope.currentReleaseNumber === null) continue;
      releases.set(`${scope.app} ${scope.environment} ${scope.currentReleaseNumber}`, {
        scope,
        releaseNumber: scope.currentReleaseNumber,
      });
    }
    for (const release of edge.releases) {
      const scope = scopes.get(`${release.app} ${release.environment}`);
      if (scope === undefined) continue;
      releases.set(`${release.app} ${release.environment} ${release.releaseNumber}`, {
        scope,
        releaseNumber: release.releaseNumber,
      });
    }
    const samples: TrafficSampleRecord[] = [];
    const lastRead = previousEdgeRead;
    previousEdgeRead = {
      atMs: nowMs,
      releaseKeys: new Set(edge.releases.map((r) => `${r.app} ${r.environment} ${r.releaseNumber}`)),
    };
    const uncountedBefore = (key: string, release: Parameters<typeof readRouterCursor>[1]) =>
      lastRead === undefined || lastRead.releaseKeys.has(key)
        ? undefined
        : readRouterCursor({ ...edge, releases: [] }, release, lastRead.atMs);
    for (const [key, { scope, releaseNumber }] of releases) {
      const release = { app: scope.app, environment: scope.environment, releaseNumber };
      const next = readRouterCursor(edge, release, nowMs);
      const previous = cursors.get(key) ?? uncountedBefore(key, release);
      cursors.set(key, next);
      if (previous === undefined || next.atMs <= previous.atMs) continue;
      const inFlight = inFlightByRelease.get(`${scope.appId} ${scope.environmentId} ${releaseNumber}`) ?? 0;
      const sample = trafficSampleOf(
        previous,
        next,
        { appId: scope.appId, environmentId: scope.environmentId, releaseNumber },
        inFlight,
      );
      if (sample === 'restart') continue;
      const isWorthKeeping = sample.requests > 0 || inFlight > 0 || releaseNumber === scope.currentReleaseNumber;
      if (isWorthKeeping) samples.push(sample);
    }
    for (const key of cursors.keys()) if (!releases.has(key)) cursors.delete(key);
    return samples;
  };

  const instanceSample = async (
    instance: InstanceRecord,
    releaseNumber: number | null,
    nowMs: number,
  ): Promise<InstanceSampleRecord> => {
    const stats = await deps.runtimes
      .find(instance.runtime)
      ?.stats(instance.id)
      .catch(() => undefined);
    return {
      appId: instance.appId,
      environmentId: instance.environmentId,
      instanceId: instance.id,
      process: instance.process,
      releaseNumber,
      atMs: nowMs,
      cpuPercent: stats === undefined ? null : stats.cpus * 100,
      memoryBytes: stats === undefined ? null : stats.memoryBytes,
      cpuLimit: instance.limits?.cpus ?? null,
      memoryLimitBytes: stats?.memoryLimitBytes ?? instance.limits?.memoryBytes ?? null,
    };
  };

  const sampleAll = async (): Promise<void> => {
    const nowMs = clock.nowMs();
    if (nowMs <= lastSampleAtMs) return;
    lastSampleAtMs = nowMs;
    const scopes = await listScopes();
    const known = new Set([...scopes.values()].map((scope) => `${scope.appId} ${scope.environmentId}`));
    const instances = (await store.instances.list()).filter(
      (instance) => liveStates.has(instance.state) && known.has(`${instance.appId} ${instance.environmentId}`),
    );
    const releaseOf = new Map<string, number | null>();
    for (const instance of instances) releaseOf.set(instance.id, await releaseNumberOf(instance.releaseId));

    const inFlight =
      instances.length === 0
        ? {}
        : await deps.router.inFlight(instances.map((instance) => instance.id)).catch(() => ({}));
    const inFlightByRelease = new Map<string, number>();
    for (const instance of instances) {
      const key = `${instance.appId} ${instance.environmentId} ${releaseOf.get(instance.id) ?? ''}`;
      inFlightByRelease.set(key, (inFlightByRelease.get(key) ?? 0) + (inFlight[instance.id] ?? 0));
    }

    const edge = await deps.router.metrics().catch((error: unknown) => {
      logger.debug({ err: error }, 'metrics history: the edge did not answer');
      return undefined;
    });
    const traffic = edge === undefined ? [] : trafficSamples(edge, scopes, inFlightByRelease, nowMs);

    const usage: InstanceSampleRecord[] = [];
    for (let at = 0; at < instances.length; at += statsConcurrency) {
      const chunk = instances.slice(at, at + statsConcurrency);
      usage.push(
        ...(await Promise.all(
          chunk.map((instance) => instanceSample(instance, releaseOf.get(instance.id) ?? null, nowMs)),
        )),
      );
    }
    await store.metricSamples.insertTraffic(traffic);
    await store.metricSamples.insertInstances(usage);

    if (nowMs >= nextPruneAtMs) {
      nextPruneAtMs = nowMs + Math.max(pruneEveryMs, settings.intervalMs);
      await prune();
    }
  };

  const prune = async (): Promise<number> => {
    let deleted = await store.metricSamples.pruneBefore(clock.nowMs() - settings.retentionMs);
    for (const [index, app] of (await store.apps.list()).entries()) {
      if (index > 0 && index % scopesPerTurn === 0) await nextEventLoopTurn();
      deleted += await store.metricSamples.pruneToRows(app.id, settings.maxRowsPerApp);
    }
    return deleted;
  };

  const loop = createPeriodicPass(sampleAll, {
    intervalMs: settings.intervalMs,
    onFailure: (error) => logger.warn({ err: error }, 'metrics history sample failed'),
  });
  return { sample: loop.run, prune, start: loop.start, stop: loop.stop };
}
