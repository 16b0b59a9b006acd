/**
 * An analysis as `slipway.yaml` declares it (a canary `analysis` step, blue-green pre/post-promotion): metrics
 * measured at an interval, each with its provider, its condition and unambiguous limits.
 */
import { z } from 'zod';

const durationSeconds = z.number().int().min(1).max(86_400);

/** The router's own per-release counters: no Prometheus needed. */
export const routerMetricSchema = z
  .object({
    type: z.literal('router'),
    /** `success-rate`: non-5xx share of the canary's requests (0–1); latencies in milliseconds. */
    measure: z.enum(['success-rate', 'error-rate', 'latency-p50', 'latency-p99', 'request-count']),
  })
  .strict();

/** A URL answering a number, or JSON with the number at `jsonPath` (`a.b[0].c`). */
export const httpMetricSchema = z
  .object({
    type: z.literal('http'),
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'an http(s) URL'),
    jsonPath: z.string().min(1).max(256).optional(),
    timeoutSeconds: z.number().int().min(1).max(60).default(5),
  })
  .strict();

/** A PromQL instant query whose first sample is the value; `{{release}}`, `{{app}}`, `{{environment}}` are filled in. */
export const prometheusMetricSchema = z
  .object({
    type: z.literal('prometheus'),
    address: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'an http(s) URL'),
    query: z.string().min(1).max(4_096),
    timeoutSeconds: z.number().int().min(1).max(60).default(5),
  })
  .strict();

export const metricProviderSchema = z.discriminatedUnion('type', [
  routerMetricSchema,
  httpMetricSchema,
  prometheusMetricSchema,
]);
export type MetricProvider = z.infer<typeof metricProviderSchema>;

export const analysisMetricSchema = z
  .object({
    name: z.string().min(1).max(64),
    provider: metricProviderSchema,
    /** The measurement passes when the value is within these bounds (inclusive); at least one is required. */
    successCondition: z
      .object({ min: z.number().optional(), max: z.number().optional() })
      .strict()
      .refine((c) => c.min !== undefined || c.max !== undefined, 'give min, max or both'),
    /** The `failureLimit`-th failed measurement fails the analysis (3: the third failure aborts). */
    failureLimit: z.number().int().min(1).max(100).default(1),
    /** The `errorLimit`-th measurement whose provider timed out or errored fails the analysis. */
    errorLimit: z.number().int().min(1).max(100).default(3),
    /** What a measurement with no data (no requests, an empty answer) counts as. */
    onNoData: z.enum(['fail', 'inconclusive', 'ignore']).default('inconclusive'),
    /** For `router` metrics: fewer requests to the canary in the interval than this is no data. */
    minRequests: z.number().int().min(0).max(1_000_000).default(20),
  })
  .strict();
export type AnalysisMetric = z.infer<typeof analysisMetricSchema>;

export const analysisSpecSchema = z
  .object({
    /** Time between measurements. */
    intervalSeconds: durationSeconds.default(30),
    /** Measurements per metric; the analysis succeeds once each metric has this many without reaching a limit. */
    count: z.number().int().min(1).max(1_000).default(3),
    /** Wait before the first measurement (traffic must reach the canary first). */
    initialDelaySeconds: z.number().int().min(0).max(86_400).default(0),
    /** Measurements kept per metric (the last ones), shown in status. */
    measurementRetention: z.number().int().min(1).max(100).default(10),
    metrics: z.array(analysisMetricSchema).min(1).max(10),
  })
  .strict();
export type AnalysisSpec = z.infer<typeof analysisSpecSchema>;
