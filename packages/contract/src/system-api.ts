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
