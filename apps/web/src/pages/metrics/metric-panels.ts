/**
 * What the Metrics tab draws, derived from the metrics history answer: one panel per quantity (request rate, 5xx
 * share, latency percentiles, in-flight requests, CPU and memory per instance), each with its lines, a text summary of
 * the latest values and the release markers. No uPlot here: the summaries and tables need none.
 */
import type { MetricSeries } from '@slipway/contract';

export interface MetricLine {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** A limit drawn for reference (memory against its limit): not counted as data, summarized with its line. */
  readonly isLimit?: boolean;
}

export interface ReleaseMark {
  readonly atMs: number;
  readonly label: string;
}

export interface MetricPanelModel {
  readonly id: 'requests' | 'errors' | 'latency' | 'in-flight' | 'cpu' | 'memory';
  readonly title: string;
  /** The y axis' unit, shortly. */
  readonly unit: string;
  readonly format: (value: number) => string;
  readonly lines: readonly MetricLine[];
  /** The latest value of each line, in words. */
  readonly summary: string;
  /** How many values the panel's lines (limits aside) hold. */
  readonly pointCount: number;
}

const mib = 1_048_576;
const fixed = (digits: number, unit: string) => (value: number) => `${value.toFixed(digits)}${unit}`;
const formatRate = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} req/s`;

/** The last value a series holds, or undefined when it holds none. */
export function latestOf(values: readonly (number | null)[]): number | undefined {
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return undefined;
}

const scaled = (values: readonly (number | null)[], factor: number) =>
  values.map((value) => (value === null ? null : value * factor));

/** The last point at which any of the lines (limits aside) holds a value, or -1. */
function lastSampledIndex(lines: readonly MetricLine[]): number {
  const counted = lines.filter((line) => line.isLimit !== true);
  const length = Math.max(0, ...counted.map((line) => line.values.length));
  for (let i = length - 1; i >= 0; i -= 1) if (counted.some((line) => (line.values[i] ?? null) !== null)) return i;
  return -1;
}

/**
 * The values at the panel's last sampled point, in words: a line with no value there (a release that took no more
 * traffic, an instance gone) is left out rather than shown with an old value.
 */
function summaryOf(
  lines: readonly MetricLine[],
  timestampsMs: readonly number[],
  format: (value: number) => string,
): string {
  const index = lastSampledIndex(lines);
  if (index < 0) return 'No sample in this window.';
  const parts = lines.flatMap((line) => {
    const value = line.values[index] ?? null;
    if (line.isLimit === true || value === null) return [];
    const limit = lines.find((l) => l.isLimit === true && l.label === `${line.label} limit`)?.values[index] ?? null;
    return [`${line.label} ${format(value)}${limit === null ? '' : ` of ${format(limit)} limit`}`];
  });
  const at = new Date(timestampsMs[index] ?? 0).toLocaleTimeString();
  return `Latest (${at}): ${parts.join('; ')}.`;
}

function panel(
  timestampsMs: readonly number[],
  id: MetricPanelModel['id'],
  title: string,
  unit: string,
  format: (value: number) => string,
  lines: readonly MetricLine[],
): MetricPanelModel {
  const pointCount = lines
    .filter((line) => line.isLimit !== true)
    .reduce((count, line) => count + line.values.filter((value) => value !== null).length, 0);
  return { id, title, unit, format, lines, summary: summaryOf(lines, timestampsMs, format), pointCount };
}

/** The short name of an instance: its process and the end of its id. */
export const instanceLabel = (instance: MetricSeries['instances'][number]) =>
  `${instance.process} ${instance.instanceId.slice(-6)}`;

export function metricPanels(series: MetricSeries): MetricPanelModel[] {
  // One release alone is the total: its own line would only hide under it.
  const releases = series.releases.length > 1 ? series.releases : [];
  const perRelease = (pick: (traffic: MetricSeries['traffic']) => readonly (number | null)[], factor = 1) => [
    { label: 'all releases', values: scaled(pick(series.traffic), factor) },
    ...releases.map((r) => ({ label: `v${r.release}`, values: scaled(pick(r.traffic), factor) })),
  ];
  const memoryLines = series.instances.flatMap((instance): MetricLine[] => {
    const label = instanceLabel(instance);
    const line = { label, values: scaled(instance.memoryBytes, 1 / mib) };
    if (instance.memoryLimitBytes === null) return [line];
    const limitMib = instance.memoryLimitBytes / mib;
    return [line, { label: `${label} limit`, values: series.timestamps.map(() => limitMib), isLimit: true }];
  });
  const at = series.timestamps;
  return [
    panel(
      at,
      'requests',
      'Request rate',
      'req/s',
      formatRate,
      perRelease((t) => t.requestsPerSecond),
    ),
    panel(
      at,
      'errors',
      'Error rate (5xx)',
      '% 5xx',
      fixed(1, ' % 5xx'),
      perRelease((t) => t.errorRate, 100),
    ),
    panel(at, 'latency', 'Latency', 'ms', fixed(1, ' ms'), [
      { label: 'p50', values: series.traffic.latencyP50Ms },
      { label: 'p95', values: series.traffic.latencyP95Ms },
      { label: 'p99', values: series.traffic.latencyP99Ms },
    ]),
    panel(
      at,
      'in-flight',
      'Requests in flight',
      'requests',
      fixed(1, ''),
      perRelease((t) => t.inFlight),
    ),
    panel(
      at,
      'cpu',
      'CPU per instance',
      '% of a CPU',
      fixed(1, ' %'),
      series.instances.map((instance) => ({ label: instanceLabel(instance), values: instance.cpuPercent })),
    ),
    panel(at, 'memory', 'Memory per instance', 'MiB', fixed(1, ' MiB'), memoryLines),
  ];
}

/** The releases that went live in the window, as marks on the time axis. */
export const releaseMarks = (series: MetricSeries): ReleaseMark[] =>
  series.markers.map((marker) => ({ atMs: marker.atMs, label: `v${marker.release}` }));
