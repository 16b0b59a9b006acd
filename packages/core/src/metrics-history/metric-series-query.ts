/**
 * The metrics history API's answer for one app environment and window: its traffic (all releases, and each release),
 * its instances' CPU and memory, aligned on one axis, with a marker where each release went live.
 */
import { maxSeriesWindowMs, SlipwayError, type MetricSeries, type ReleaseMarker } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { getAppScope } from '../use-cases/lookups.js';
import { axisTimestamps, groupBy, instanceSeries, seriesAxis, trafficSeries } from './metric-series.js';

/** Instances in one answer (those sampled last), whatever ran in the window. */
const maxInstances = 100;
/** Deployments looked at for markers, newest first. */
const markerDeployments = 1000;

export interface MetricSeriesInput {
  app: string;
  environment: string;
  sinceMs: number;
  untilMs: number;
  stepMs: number | undefined;
}

export async function getMetricSeries(
  deps: Pick<CoreDeps, 'store'>,
  input: MetricSeriesInput,
  settings: { sampleIntervalMs: number; maxRowsPerApp: number },
): Promise<MetricSeries> {
  const { sinceMs, untilMs } = input;
  if (!Number.isFinite(sinceMs) || !Number.isFinite(untilMs) || sinceMs >= untilMs) {
    throw new SlipwayError('METRICS_WINDOW_INVALID', 'the window must start before it ends (since before until)', {
      details: { since: new Date(sinceMs).toISOString(), until: new Date(untilMs).toISOString() },
    });
  }
  if (untilMs - sinceMs > maxSeriesWindowMs) {
    throw new SlipwayError('METRICS_WINDOW_INVALID', 'the window may span at most 31 days', {
      details: { windowMs: untilMs - sinceMs, maxWindowMs: maxSeriesWindowMs },
    });
  }
  const { app, environment } = await getAppScope(deps.store, input.app, input.environment);
  const axis = seriesAxis({ ...input, sampleIntervalMs: settings.sampleIntervalMs });
  const window = {
    environmentId: environment.id,
    sinceMs: axis.startMs,
    untilMs: axis.startMs + axis.points * axis.stepMs,
    limit: settings.maxRowsPerApp,
  };
  const traffic = await deps.store.metricSamples.listTraffic(app.id, window);
  const usage = await deps.store.metricSamples.listInstanceSteps(app.id, {
    environmentId: window.environmentId,
    sinceMs: window.sinceMs,
    untilMs: window.untilMs,
    stepMs: axis.stepMs,
  });

  const releases = await deps.store.releases.list(app.id, environment.id);
  const releaseIds = new Map(releases.map((release) => [release.number, release.id]));
  const releaseNumbers = new Map(releases.map((release) => [release.id, release.number]));
  const markers: ReleaseMarker[] = (await deps.store.deployments.list(app.id, environment.id, markerDeployments))
    .flatMap((deployment) => {
      const number = deployment.releaseId === null ? undefined : releaseNumbers.get(deployment.releaseId);
      const atMs = deployment.finishedAtMs;
      const isInWindow = atMs !== null && atMs >= sinceMs && atMs < untilMs;
      if (deployment.state !== 'succeeded' || number === undefined || deployment.releaseId === null || !isInWindow)
        return [];
      return [
        {
          release: number,
          releaseId: deployment.releaseId,
          deploymentId: deployment.id,
          at: new Date(atMs).toISOString(),
          atMs,
        },
      ];
    })
    .sort((a, b) => a.atMs - b.atMs);

  return {
    app: app.name,
    environment: environment.name,
    since: new Date(sinceMs).toISOString(),
    until: new Date(untilMs).toISOString(),
    stepSeconds: axis.stepMs / 1000,
    sampleIntervalSeconds: settings.sampleIntervalMs / 1000,
    timestamps: axisTimestamps(axis),
    traffic: trafficSeries(axis, traffic),
    releases: [...groupBy(traffic, (sample) => sample.releaseNumber)]
      .sort(([a], [b]) => a - b)
      .map(([release, samples]) => ({
        release,
        releaseId: releaseIds.get(release) ?? null,
        traffic: trafficSeries(axis, samples),
      })),
    instances: instanceSeries(axis, usage, maxInstances),
    markers,
  };
}
