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
