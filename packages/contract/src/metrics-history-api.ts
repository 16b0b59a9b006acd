/**
 * `GET /api/v1/apps/:app/metrics/series`: the metrics history slipwayd samples (request rate, 5xx share, latency
 * percentiles and in-flight requests per release; CPU and memory per instance) as series aligned on one time axis,
 * with a marker at each release that went live in the window.
 */
import { z } from 'zod';
import { environmentQuerySchema } from './api.js';
import { durationMs, logTimeSchema } from './log-time.js';

/** The most points a series holds: a longer window gets a longer step. */
export const maxSeriesPoints = 500;
/** The longest window one answer covers. */
export const maxSeriesWindowMs = 31 * 86_400_000;

export const metricSeriesQuerySchema = environmentQuerySchema.extend({
  /** A duration back from now (`90s`, `15m`, `1h`, `2d`) or an ISO 8601 time; default `1h`. */
  since: logTimeSchema.default('1h'),
  /** Same forms as `since`; default now. */
  until: logTimeSchema.optional(),
  /** Time between two points (`15s`, `1m`, `5m`); default and minimum: what keeps at most 500 points. */
  step: z
    .string()
    .max(20)
    .refine((text) => (durationMs(text) ?? 0) >= 1_000, 'a duration of at least 1s (15s, 1m, 5m)')
    .optional(),
});
export type MetricSeriesQuery = z.infer<typeof metricSeriesQuerySchema>;

/** One value per point of `timestamps`; null where no sample fell in that step (or, for a ratio, no request). */
const series = z.array(z.number().nullable());

export const trafficSeriesSchema = z.object({
  requestsPerSecond: series,
  /** The share of responses that were 5xx (0–1). */
  errorRate: series,
  latencyP50Ms: series,
  latencyP95Ms: series,
  latencyP99Ms: series,
  /** Requests under way at the sample's time (average over the step). */
  inFlight: series,
});
export type TrafficSeries = z.infer<typeof trafficSeriesSchema>;

export const instanceSeriesSchema = z.object({
  instanceId: z.string(),
  process: z.string(),
  release: z.number().int().nullable(),
  /** CPU used, in percent of one CPU (100 = one whole CPU). */
  cpuPercent: series,
  memoryBytes: series,
  /** The instance's CPU limit (CPUs) and memory limit (bytes), when the runtime enforces one. */
  cpuLimit: z.number().nullable(),
  memoryLimitBytes: z.number().nullable(),
});
export type InstanceSeries = z.infer<typeof instanceSeriesSchema>;

export const releaseMarkerSchema = z.object({
  release: z.number().int(),
  releaseId: z.string(),
  deploymentId: z.string(),
  /** When the deployment that made the release current finished. */
  at: z.string(),
  atMs: z.number().int(),
});
export type ReleaseMarker = z.infer<typeof releaseMarkerSchema>;

export const metricSeriesSchema = z.object({
  app: z.string(),
  environment: z.string(),
  since: z.string(),
  until: z.string(),
  stepSeconds: z.number(),
  /** How often slipwayd samples (`--metrics-sample-interval-ms`). */
  sampleIntervalSeconds: z.number(),
  /** The start of each step (ms since the epoch), ascending. */
  timestamps: z.array(z.number().int()),
  /** Every release of the app environment together. */
  traffic: trafficSeriesSchema,
  releases: z.array(
    z.object({ release: z.number().int(), releaseId: z.string().nullable(), traffic: trafficSeriesSchema }),
  ),
  /** At most 100, those seen last first. */
  instances: z.array(instanceSeriesSchema),
  /** Oldest first. */
  markers: z.array(releaseMarkerSchema),
});
export type MetricSeries = z.infer<typeof metricSeriesSchema>;
