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

/**
 * An http(s) URL without credentials: a spec is shown in status and logs, so it must not carry a secret in its
 * user-info part. `{{app}}`, `{{environment}}`, `{{release}}` and `{{stableRelease}}` may appear in it.
 */
const metricUrlSchema = z
  .string()
  .max(2_048)
  .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL')
  .refine((u) => URL.canParse(u), 'a valid URL')
  .refine((u) => {
    const url = URL.canParse(u) ? new URL(u) : null;
    return url === null || (url.username === '' && url.password === '');
  }, 'no credentials in the URL (user:password@ is refused: the spec is shown in status)');

/** Seconds a provider may take to answer (connect, headers and body) before the measurement counts as an error. */
const providerTimeoutSeconds = z.number().int().min(1).max(60).default(5);

/** A URL answering a number (the whole body), or JSON with the number at `jsonPath` (`a.b[0].c`, `$.a.b`). */
export const httpMetricSchema = z
  .object({
    type: z.literal('http'),
    url: metricUrlSchema,
    jsonPath: z
      .string()
      .max(256)
      .regex(/^(\$\.?)?([^.[\]]+|\[\d+\])(\.[^.[\]]+|\[\d+\])*$/, 'keys and [index]es: a.b[0].c')
      .optional(),
    timeoutSeconds: providerTimeoutSeconds,
  })
  .strict();
export type HttpMetricProvider = z.infer<typeof httpMetricSchema>;

/**
 * A PromQL instant query (`GET <address>/api/v1/query`) whose first sample is the value; an empty answer or NaN is no
 * data. `{{app}}`, `{{environment}}`, `{{release}}` and `{{stableRelease}}` are filled in.
 */
export const prometheusMetricSchema = z
  .object({
    type: z.literal('prometheus'),
    address: metricUrlSchema,
    query: z.string().min(1).max(4_096),
    timeoutSeconds: providerTimeoutSeconds,
  })
  .strict();
export type PrometheusMetricProvider = z.infer<typeof prometheusMetricSchema>;

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
      .refine((c) => c.min !== undefined || c.max !== undefined, 'give min, max or both')
      .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, 'min must not exceed max'),
    /** The `failureLimit`-th failed measurement fails the analysis (3: the third failure aborts). */
    failureLimit: z.number().int().min(1).max(100).default(1),
    /** The `errorLimit`-th measurement whose provider timed out or errored fails the analysis. */
    errorLimit: z.number().int().min(1).max(100).default(3),
    /**
     * What a measurement with no data (fewer than `minRequests` router requests, an empty Prometheus vector, NaN, a
     * JSON null) counts as: `fail` a failed measurement, `inconclusive` pauses the rollout for a human with the reason,
     * `ignore` does not count at all (the analysis measures again at the next interval).
     */
    onNoData: z.enum(['fail', 'inconclusive', 'ignore']).default('inconclusive'),
    /** For `router` metrics: fewer requests to the canary in the interval than this is no data (never a pass). */
    minRequests: z.number().int().min(0).max(1_000_000).default(20),
  })
  .strict();
export type AnalysisMetric = z.infer<typeof analysisMetricSchema>;

export const analysisSpecSchema = z
  .object({
    /** Time between measurements. */
    intervalSeconds: durationSeconds.default(30),
    /**
     * Successful measurements each metric needs: the analysis passes once every metric has this many without having
     * reached its `failureLimit` or `errorLimit` (failed, errored and ignored measurements do not count towards it).
     */
    count: z.number().int().min(1).max(1_000).default(3),
    /** Wait before the first measurement (traffic must reach the canary first). */
    initialDelaySeconds: z.number().int().min(0).max(86_400).default(0),
    /** Measurements kept per metric (the last ones), shown in status. */
    measurementRetention: z.number().int().min(1).max(100).default(10),
    metrics: z
      .array(analysisMetricSchema)
      .min(1)
      .max(10)
      .refine((metrics) => new Set(metrics.map((m) => m.name)).size === metrics.length, 'metric names must be unique'),
  })
  .strict();
export type AnalysisSpec = z.infer<typeof analysisSpecSchema>;
