/** The routing table slipwayd sends to the edge router (a separate process): routes, upstreams, weights. */
import { z } from 'zod';
import { splitIssues } from './split-issues.js';

export const upstreamSchema = z.object({
  instanceId: z.string(),
  host: z.string(),
  port: z.number().int().min(1).max(65_535),
  releaseNumber: z.number().int(),
  /** Relative share of new requests; 0 takes none. */
  weight: z.number().min(0),
});
export type Upstream = z.infer<typeof upstreamSchema>;

/** Largest custom maintenance page, bytes of UTF-8: it travels in every table the edge is sent. */
export const maxMaintenancePageBytes = 64 * 1024;

export const maintenanceSchema = z.object({
  retryAfterSeconds: z.number().int().min(1).max(86_400),
  page: z
    .string()
    .refine((page) => new TextEncoder().encode(page).byteLength <= maxMaintenancePageBytes, 'at most 64 KiB')
    .nullable(),
});
export type Maintenance = z.infer<typeof maintenanceSchema>;

/**
 * Sends a request to one release whatever the weights: a header (exact, prefix or RE2 regex match of its value —
 * see `header-pattern.ts`) or a cookie (exact value). Testers reach a canary on purpose with it. Header and cookie
 * names are RFC 9110 tokens; a header name matches in any case.
 */
export const trafficMatchSchema = z.union([
  z
    .object({
      header: z.string().min(1).max(256),
      value: z.string().max(1024),
      kind: z.enum(['exact', 'prefix', 'regex']).default('exact'),
    })
    .strict(),
  z.object({ cookie: z.string().min(1).max(256), value: z.string().max(1024) }).strict(),
]);
export type TrafficMatch = z.infer<typeof trafficMatchSchema>;

/** One release's share of a route's traffic. */
export const releaseSplitSchema = z
  .object({
    releaseNumber: z.number().int(),
    /** Percent of the route's requests (0–100) that match no release's `matches`; a split's weights add up to 100. */
    weight: z.number().min(0).max(100),
    /** Requests matching any of these go to this release whatever the weights, while it has upstreams. */
    matches: z.array(trafficMatchSchema).max(16).optional(),
  })
  .strict();
export type ReleaseSplit = z.infer<typeof releaseSplitSchema>;

/**
 * Exact traffic split by release (canary, blue-green): the edge first chooses the release — by a match, by the
 * client's sticky assignment, else by weight — then one of its upstreams (their own `weight`s, least in flight).
 * Absent: every upstream of the route takes traffic by its own weight, whatever its release.
 */
export const routeSplitSchema = z
  .object({
    releases: z.array(releaseSplitSchema).min(1).max(8),
    /**
     * Name of the cookie that keeps a client on the release it was sent to while that release's weight does not go
     * down; null: no stickiness.
     */
    stickyCookie: z.string().min(1).max(256).nullable(),
  })
  .strict();
export type RouteSplit = z.infer<typeof routeSplitSchema>;

/**
 * How the edge holds a route's requests while its process type has no healthy instance (scaled to zero, or its
 * instance still starting): bounded per route and edge process, each request at most `holdTimeoutMs`; beyond, a 503
 * with `Retry-After`. Holding a request asks slipwayd to start an instance (`GET /wakes`).
 */
export const coldStartHoldSchema = z
  .object({
    holdTimeoutMs: z.number().int().min(1).max(300_000),
    maxHeldRequests: z.number().int().min(1).max(10_000),
    maxHeldBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024),
  })
  .strict();
export type ColdStartHold = z.infer<typeof coldStartHoldSchema>;

export const routeEntrySchema = z
  .object({
    /** Lowercase hostname, or `*.domain` for a wildcard. */
    host: z.string(),
    /** Path prefix, `/` for all; the longest matching prefix wins. */
    pathPrefix: z.string().startsWith('/'),
    app: z.string(),
    environment: z.string(),
    process: z.string(),
    timeoutMs: z.number().int().positive().nullable(),
    /** Only healthy instances; empty means the route answers 503. */
    upstreams: z.array(upstreamSchema),
    /**
     * Present while the app is in maintenance (or stopped): the edge answers every request of the route itself with
     * 503, `Retry-After` and this page (its own when `page` is null), whatever the upstreams.
     */
    maintenance: maintenanceSchema.optional(),
    /**
     * Present during a canary or blue-green rollout: how traffic is split between releases. Its weights add up to 100
     * (±0.001), its release numbers are unique, and a release with weight above 0 has an upstream of weight above 0
     * in `upstreams` (see `splitIssues`). Upstreams of a release the split does not name take no traffic.
     */
    split: routeSplitSchema.optional(),
    /**
     * True on pull-request previews' routes: the edge adds `X-Robots-Tag: noindex` to every response the upstream
     * sends, so search engines never list a preview.
     */
    isNoindex: z.boolean().optional(),
    /**
     * Present on a custom domain's routes once it has a certificate: a request over plain HTTP is answered with a 308
     * to the same URL over HTTPS on this port of the edge (the port left out when it is 443).
     */
    httpsRedirectPort: z.number().int().min(1).max(65_535).optional(),
    /** A `Strict-Transport-Security` value the edge adds to this route's responses over HTTPS (HSTS, opt-in). */
    hsts: z.string().min(1).max(256).optional(),
    /** Present when the route's process type scales to zero: requests wait for an instance instead of a 503. */
    coldStart: coldStartHoldSchema.optional(),
  })
  .superRefine((route, context) => {
    if (route.split === undefined) return;
    for (const issue of splitIssues(route.split))
      context.addIssue({ code: 'custom', path: ['split', ...issue.path], message: issue.message });
  });
export type RouteEntry = z.infer<typeof routeEntrySchema>;

export const routingTableSchema = z.object({ routes: z.array(routeEntrySchema) });
export type RoutingTable = z.infer<typeof routingTableSchema>;

export const routerStatusSchema = z.object({
  isRunning: z.boolean(),
  pid: z.number().int().nullable(),
  /** `host:port` the router listens on for traffic. */
  address: z.string(),
  routes: z.number().int(),
  /** Processes serving traffic: 1, or more with `--workers` (those started and serving now). */
  workers: z.number().int().min(0).optional(),
  /**
   * The fingerprint of the settings the router was started with (its flags and the contents of its TLS files), as
   * slipwayd computed it; slipwayd hands over to a router with its own settings when it differs (or is absent).
   */
  settingsFingerprint: z.string().optional(),
});
export type RouterStatus = z.infer<typeof routerStatusSchema>;

/** `GET /inflight?ids=a,b` of the edge's admin API: requests in flight per instance id (0 for unknown ones). */
export const inFlightAnswerSchema = z.object({ inFlight: z.record(z.string(), z.number().int().min(0)) });
export type InFlightAnswer = z.infer<typeof inFlightAnswerSchema>;

/** Traffic counters the edge keeps per route and per release, since it started. */
export const trafficCountersSchema = z.object({
  requests: z.number().int().min(0),
  /** Responses by status class, the router's own answers (502, 503, 504) included. */
  status: z.object({
    '2xx': z.number().int().min(0),
    '3xx': z.number().int().min(0),
    '4xx': z.number().int().min(0),
    '5xx': z.number().int().min(0),
  }),
  /** Connections to an upstream that failed before any byte was sent (refused, reset, unreachable). */
  connectErrors: z.number().int().min(0),
  /** Requests per latency bucket: `latency[i]` took at most `latencyBucketsUs[i]`; the last one, longer than all. */
  latency: z.array(z.number().int().min(0)),
  /** Sum of the counted durations (µs); absent from routers older than it, as are `active` and `byMethod`. */
  durationSumUs: z.number().min(0).optional(),
  /** Requests under way now. */
  active: z.number().int().optional(),
  /** Requests by method (RFC 9110 methods and PATCH by name, any other as `_OTHER`) and status class. */
  byMethod: z
    .array(
      z.object({
        method: z.string(),
        status: z.object({
          '1xx': z.number().int().min(0),
          '2xx': z.number().int().min(0),
          '3xx': z.number().int().min(0),
          '4xx': z.number().int().min(0),
          '5xx': z.number().int().min(0),
        }),
      }),
    )
    .optional(),
});
export type TrafficCounters = z.infer<typeof trafficCountersSchema>;

/** What the edge counts of a wakeable route's held requests (absent on other routes, and from older routers). */
export const coldStartCountersSchema = z.object({
  /** Requests held while the route had no upstream. */
  held: z.number().int().min(0),
  /** Held requests answered 503 because the hold queue was full (count or bytes). */
  refused: z.number().int().min(0),
  /** Held requests answered 503 because no instance came within the hold timeout. */
  timedOut: z.number().int().min(0),
  /** Requests held now. */
  holding: z.number().int().min(0),
  /** Cold starts: times a first request was held while none was (each asks slipwayd to start an instance). */
  wakes: z.number().int().min(0),
  /** Wake durations (first request held → released to an instance) per latency bucket (`latencyBucketsUs`). */
  wakeDuration: z.array(z.number().int().min(0)),
  wakeDurationSumUs: z.number().min(0),
});
export type ColdStartCounters = z.infer<typeof coldStartCountersSchema>;

/** `GET /metrics` of the edge's admin API. */
export const edgeMetricsSchema = z.object({
  /** Upper bounds (µs) of the latency buckets, ascending; durations run from request head to response end. */
  latencyBucketsUs: z.array(z.number().int().positive()),
  /** Requests no route matched, whatever their Host (absent from routers older than it). */
  unrouted: trafficCountersSchema.optional(),
  routes: z.array(
    z.object({
      host: z.string(),
      pathPrefix: z.string(),
      app: z.string(),
      environment: z.string(),
      process: z.string(),
      counters: trafficCountersSchema,
      coldStart: coldStartCountersSchema.optional(),
    }),
  ),
  releases: z.array(
    z.object({
      app: z.string(),
      environment: z.string(),
      releaseNumber: z.number().int(),
      counters: trafficCountersSchema,
    }),
  ),
});
export type EdgeMetrics = z.infer<typeof edgeMetricsSchema>;

/** A process type whose requests the edge holds: slipwayd starts an instance of it. */
export const wakeRequestSchema = z.object({ app: z.string(), environment: z.string(), process: z.string() });
export type WakeRequest = z.infer<typeof wakeRequestSchema>;

/**
 * `GET /wakes?waitMs=N` of the edge's admin API: the process types that held a request since the last answer, at
 * once when there are some, else when one holds a request or after `waitMs` (at most 60 s) with none.
 */
export const wakesAnswerSchema = z.object({ wakes: z.array(wakeRequestSchema) });
export type WakesAnswer = z.infer<typeof wakesAnswerSchema>;
/** The longest `waitMs` of `GET /wakes`. */
export const maxWakeWaitMs = 60_000;

/** `POST /handover` of the edge's admin API: the successor that now serves (the old router drains, then exits). */
export const handoverAnswerSchema = z.object({ pid: z.number().int().positive() });
export type HandoverAnswer = z.infer<typeof handoverAnswerSchema>;

/**
 * The body of `POST /handover` (optional): the successor's flags, to apply changed settings; without them it gets
 * the running router's own. A listener whose address is unchanged is handed over, a new one bound by the successor.
 */
export const handoverRequestSchema = z.object({ args: z.array(z.string().max(4_096)).max(256).optional() }).strict();
export type HandoverRequest = z.infer<typeof handoverRequestSchema>;
