/** Stopping slipwayd on purpose over the API (owner only): itself alone, or everything it runs — apps and the edge. */
import { z } from 'zod';

/**
 * `slipwayd` stops slipwayd alone, as SIGTERM does: app instances and the edge keep running and serving. `everything`
 * first stops every app instance (each given its stop grace) and the edge, then slipwayd. Either way the desired state
 * is kept: the next slipwayd starts the apps again as they were asked for.
 */
export const systemStopBodySchema = z.object({ scope: z.enum(['slipwayd', 'everything']) }).strict();

export const systemStopResponseSchema = z.object({
  scope: z.enum(['slipwayd', 'everything']),
  /** App instances running when the stop was accepted (all stopped when the scope is `everything`). */
  runningInstances: z.number().int(),
});
export type SystemStopView = z.infer<typeof systemStopResponseSchema>;

/** `GET /api/v1/system`: what a client needs to know of slipwayd beyond its API (the catalog's addresses). */
export const systemInfoSchema = z.object({
  version: z.string(),
  nodeName: z.string(),
  catalog: z.object({
    /** The catalog's Consul-compatible HTTP API as `host:port`; null when it is off. */
    http: z.string().nullable(),
    /** The catalog's DNS interface (UDP and TCP) as `host:port`; null when it is off. */
    dns: z.string().nullable(),
    datacenter: z.string(),
  }),
});
export type SystemInfoView = z.infer<typeof systemInfoSchema>;

/** `GET /api/v1/system/status` (a global admin): the control plane's own health, for an administration page. */
export const systemStatusSchema = z.object({
  version: z.string(),
  nodeName: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number().int(),
  /** Where the API is served (`http://host:port`). */
  api: z.string(),
  /** Where state is kept: the embedded SQLite database. */
  store: z.object({ kind: z.enum(['sqlite']) }),
  edge: z.object({
    isRunning: z.boolean(),
    pid: z.number().int().nullable(),
    address: z.string(),
    routes: z.number().int(),
    workers: z.number().int().nullable(),
    /** Why the edge could not be asked, when it could not. */
    error: z.string().nullable(),
  }),
  runtimes: z.array(
    z.object({
      name: z.string(),
      runsImages: z.boolean(),
      runsArtifacts: z.boolean(),
      enforcesResourceLimits: z.boolean(),
    }),
  ),
  isolation: z.object({ mode: z.enum(['sandbox', 'none']), reason: z.string().optional() }).nullable(),
  catalog: systemInfoSchema.shape.catalog,
  /** The live streams open now, the shared watchers behind them, and streams dropped for not reading. */
  liveStreams: z.object({
    streams: z.number().int(),
    watchers: z.number().int(),
    droppedSlowStreams: z.number().int(),
  }),
});
export type SystemStatusView = z.infer<typeof systemStatusSchema>;
