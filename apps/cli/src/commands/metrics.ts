/**
 * `slipway metrics <app>`: the metrics history slipwayd keeps, as a compact table — per step the request rate, 5xx
 * share, latency percentiles and requests in flight of every release together, and the instances' CPU and memory —
 * then the releases that went live in the window.
 */
import type { Command } from 'commander';
import { durationMs, logTimeMs, type MetricSeries } from '@slipway/contract';
import { environmentOption, type CliContext } from '../cli-context.js';
import type { Output } from '../output.js';

/** Rows the table aims at when no `--step` is given. */
const targetRows = 20;

const fixed = (value: number | null | undefined, digits: number, unit = ''): string =>
  value === null || value === undefined ? '-' : `${value.toFixed(digits)}${unit}`;

function mebibytes(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

/** The sum of the instances' values at one point, or null when none has one. */
function sumAt(series: readonly (readonly (number | null)[])[], index: number): number | null {
  const values = series.map((values) => values[index]).filter((v): v is number => v !== null && v !== undefined);
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0);
}

export function writeMetricSeries(out: Output, series: MetricSeries): void {
  const { traffic, instances } = series;
  const cpu = instances.map((i) => i.cpuPercent);
  const memory = instances.map((i) => i.memoryBytes);
  const rows = series.timestamps.flatMap((atMs, i) => {
    const cells = [
      fixed(traffic.requestsPerSecond[i], 2),
      fixed(
        traffic.errorRate[i] === null || traffic.errorRate[i] === undefined ? null : traffic.errorRate[i] * 100,
        1,
        '%',
      ),
      fixed(traffic.latencyP50Ms[i], 1),
      fixed(traffic.latencyP95Ms[i], 1),
      fixed(traffic.latencyP99Ms[i], 1),
      fixed(traffic.inFlight[i], 1),
      fixed(sumAt(cpu, i), 1, '%'),
      mebibytes(sumAt(memory, i)),
    ];
    if (cells.every((cell) => cell === '-')) return [];
    return [[new Date(atMs).toISOString().slice(11, 19), ...cells]];
  });
  out.line(
    `${series.app} (${series.environment}), ${series.since} to ${series.until}, a row per ${series.stepSeconds} s; ${instances.length} instance${instances.length === 1 ? '' : 's'}`,
  );
  if (rows.length === 0) out.line('no samples in this window');
  else out.table(['TIME', 'REQ/S', '5XX', 'P50 MS', 'P95 MS', 'P99 MS', 'IN FLIGHT', 'CPU', 'MEMORY'], rows);
  for (const marker of series.markers) out.line(`release ${marker.release} went live at ${marker.at}`);
}

/** A step giving about `targetRows` rows over the window, in whole seconds; undefined when the window is unreadable. */
export function defaultStep(since: string, until: string | undefined, nowMs: number): string | undefined {
  const sinceMs = logTimeMs(since, nowMs);
  const untilMs = until === undefined ? nowMs : logTimeMs(until, nowMs);
  if (sinceMs === undefined || untilMs === undefined || untilMs <= sinceMs) return undefined;
  return `${Math.max(1, Math.ceil((untilMs - sinceMs) / targetRows / 1000))}s`;
}

export function registerMetricsCommand(program: Command, ctx: CliContext): void {
  program
    .command('metrics')
    .description(
      "show an app's metrics history: request rate, 5xx share, latency percentiles, in-flight requests, CPU and memory",
    )
    .argument('<app>', 'app name')
    .option('--since <time>', 'the window from this time: a duration back (90s, 15m, 1h, 2d) or an ISO time', '1h')
    .option('--until <time>', 'the window up to this time (same forms as --since; default now)')
    .option('--step <duration>', `time per row (15s, 1m, 5m; default: about ${targetRows} rows)`)
    .addOption(environmentOption())
    .action(
      async (
        app: string,
        options: { environment?: string; since: string; until?: string; step?: string },
        command: Command,
      ) => {
        const run = ctx.for(command);
        const nowMs = Date.now();
        for (const [flag, value] of [
          ['--since', options.since],
          ['--until', options.until],
        ] as const) {
          if (value !== undefined && logTimeMs(value, nowMs) === undefined)
            return run.usageError(`${flag} expects a duration (90s, 15m, 1h, 2d) or an ISO 8601 time, not "${value}"`);
        }
        if (options.step !== undefined && (durationMs(options.step) ?? 0) < 1000)
          return run.usageError(`--step expects a duration of at least 1s (15s, 1m, 5m), not "${options.step}"`);
        const series = await run.client().metrics.series(app, {
          environment: options.environment,
          since: options.since,
          until: options.until,
          step: options.step ?? defaultStep(options.since, options.until, nowMs),
        });
        if (run.isJson) return run.out.json(series);
        writeMetricSeries(run.out, series);
      },
    );
}
