/**
 * Turns stored samples into the series of the metrics history API: one time axis of at most `maxSeriesPoints` steps,
 * each step merging the samples that fell in it — request counts summed over the time they cover, latency
 * histograms added before their percentiles are taken (percentiles themselves cannot be averaged), in-flight requests
 * and CPU and memory averaged (in the store, for instances).
 */
import { maxSeriesPoints, type InstanceSeries, type TrafficSeries } from '@slipway/contract';
import type {
  InstanceSampleRecord,
  InstanceUsageStep,
  TrafficSampleRecord,
} from '../ports/metric-sample-repository.js';
import { latencyQuantileMs } from './traffic-sample.js';

export interface SeriesAxis {
  /** The first step's start, a multiple of `stepMs` since the epoch. */
  startMs: number;
  stepMs: number;
  points: number;
}

/**
 * The axis over `[sinceMs, untilMs)`: the step asked for, raised to what keeps at most `maxSeriesPoints` points; by
 * default the smallest multiple of the sample interval that does. Steps are whole seconds.
 */
export function seriesAxis(window: {
  sinceMs: number;
  untilMs: number;
  stepMs: number | undefined;
  sampleIntervalMs: number;
}): SeriesAxis {
  const { sinceMs, untilMs, sampleIntervalMs } = window;
  const secondMs = 1000;
  const shortestMs = Math.max(secondMs, Math.ceil((untilMs - sinceMs) / maxSeriesPoints / secondMs) * secondMs);
  const intervalMs = Math.max(secondMs, Math.ceil(sampleIntervalMs / secondMs) * secondMs);
  const stepMs =
    window.stepMs === undefined
      ? Math.ceil(shortestMs / intervalMs) * intervalMs
      : Math.max(shortestMs, Math.ceil(window.stepMs / secondMs) * secondMs);
  let startMs = Math.floor(sinceMs / stepMs) * stepMs;
  let points = Math.ceil((untilMs - startMs) / stepMs);
  // Aligning the start on the step may add one leading point beyond the bound: drop it.
  if (points > maxSeriesPoints) {
    startMs += (points - maxSeriesPoints) * stepMs;
    points = maxSeriesPoints;
  }
  return { startMs, stepMs, points };
}

export function axisTimestamps(axis: SeriesAxis): number[] {
  return Array.from({ length: axis.points }, (_, i) => axis.startMs + i * axis.stepMs);
}

/** The samples of each step (empty where none fell). */
function byStep<T extends { atMs: number }>(axis: SeriesAxis, samples: readonly T[]): T[][] {
  const steps = Array.from({ length: axis.points }, (): T[] => []);
  for (const sample of samples) {
    const index = Math.floor((sample.atMs - axis.startMs) / axis.stepMs);
    if (index >= 0 && index < axis.points) steps[index]?.push(sample);
  }
  return steps;
}

/** The items by key, each group in the items' order. */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

const average = (values: readonly number[]): number | null =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

interface TrafficPoint {
  requestsPerSecond: number | null;
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  inFlight: number | null;
}

const noTraffic: TrafficPoint = {
  requestsPerSecond: null,
  errorRate: null,
  latencyP50Ms: null,
  latencyP95Ms: null,
  latencyP99Ms: null,
  inFlight: null,
};

/** One step of samples of one or several releases: each release's rate over its own sampled time, summed. */
export function trafficPoint(samples: readonly TrafficSampleRecord[]): TrafficPoint {
  if (samples.length === 0) return noTraffic;
  const releases = groupBy(samples, (sample) => sample.releaseNumber);
  let requestsPerSecond = 0;
  let inFlight = 0;
  for (const ofRelease of releases.values()) {
    const requests = ofRelease.reduce((sum, s) => sum + s.requests, 0);
    const coveredMs = ofRelease.reduce((sum, s) => sum + s.intervalMs, 0);
    requestsPerSecond += coveredMs <= 0 ? 0 : (requests * 1000) / coveredMs;
    inFlight += average(ofRelease.map((s) => s.inFlight)) ?? 0;
  }
  const requests = samples.reduce((sum, s) => sum + s.requests, 0);
  const errors = samples.reduce((sum, s) => sum + s.errors, 0);
  const first = samples[0];
  const boundsUs = first?.latencyBucketsUs ?? [];
  const counts = new Array<number>(boundsUs.length + 1).fill(0);
  const sameLayout = (s: TrafficSampleRecord) =>
    s.latencyBucketsUs.length === boundsUs.length && s.latencyBucketsUs.every((bound, i) => bound === boundsUs[i]);
  for (const sample of samples.filter(sameLayout)) {
    sample.latencyCounts.forEach((count, i) => {
      counts[i] = (counts[i] ?? 0) + count;
    });
  }
  return {
    requestsPerSecond,
    errorRate: requests === 0 ? null : errors / requests,
    latencyP50Ms: latencyQuantileMs(0.5, boundsUs, counts),
    latencyP95Ms: latencyQuantileMs(0.95, boundsUs, counts),
    latencyP99Ms: latencyQuantileMs(0.99, boundsUs, counts),
    inFlight,
  };
}

export function trafficSeries(axis: SeriesAxis, samples: readonly TrafficSampleRecord[]): TrafficSeries {
  const points = byStep(axis, samples).map(trafficPoint);
  return {
    requestsPerSecond: points.map((p) => p.requestsPerSecond),
    errorRate: points.map((p) => p.errorRate),
    latencyP50Ms: points.map((p) => p.latencyP50Ms),
    latencyP95Ms: points.map((p) => p.latencyP95Ms),
    latencyP99Ms: points.map((p) => p.latencyP99Ms),
    inFlight: points.map((p) => p.inFlight),
  };
}

/** Each instance's series from its per-step averages, those sampled last first, at most `limit`. */
export function instanceSeries(
  axis: SeriesAxis,
  usage: { steps: readonly InstanceUsageStep[]; latest: readonly InstanceSampleRecord[] },
  limit: number,
): InstanceSeries[] {
  const steps = groupBy(usage.steps, (step) => step.instanceId);
  return [...usage.latest]
    .sort((a, b) => b.atMs - a.atMs || a.instanceId.localeCompare(b.instanceId))
    .slice(0, limit)
    .map((last) => {
      const cpuPercent = new Array<number | null>(axis.points).fill(null);
      const memoryBytes = new Array<number | null>(axis.points).fill(null);
      for (const step of steps.get(last.instanceId) ?? []) {
        if (step.step < 0 || step.step >= axis.points) continue;
        cpuPercent[step.step] = step.cpuPercent;
        memoryBytes[step.step] = step.memoryBytes;
      }
      return {
        instanceId: last.instanceId,
        process: last.process,
        release: last.releaseNumber,
        cpuPercent,
        memoryBytes,
        cpuLimit: last.cpuLimit,
        memoryLimitBytes: last.memoryLimitBytes,
      };
    });
}
