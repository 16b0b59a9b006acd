/**
 * `GET /api/v1/projects/:project/apps`: one page of a project's apps in one environment, searched and sorted on the
 * server, each row with its status (and when that status was last observed), current release, instances by health and
 * last deployment. The same rows travel on the live stream's `apps:<project>` topic when they change.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';
import { deploymentStates } from './resources.js';

/**
 * What an app environment is doing, judged by the server: `unknown` when its instances were not observed (probed, or
 * listed by the runtime) within three of their probe intervals, whatever the last state said.
 */
export const appStatuses = [
  'not-deployed',
  'deploying',
  'running',
  'starting',
  'degraded',
  'crashing',
  'stopped',
  'unknown',
] as const;
export type AppStatusName = (typeof appStatuses)[number];

export const appsOverviewSorts = ['name', 'status', 'last-deployment'] as const;

export const appsOverviewParamsSchema = z.object({ project: dnsLabelSchema });

export const appsOverviewQuerySchema = z.object({
  environment: dnsLabelSchema.default('production'),
  /** Apps whose name contains this text (case-insensitive). */
  search: z.string().min(1).max(63).optional(),
  sort: z.enum(appsOverviewSorts).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type AppsOverviewQuery = z.output<typeof appsOverviewQuerySchema>;

export const appOverviewRowSchema = z.object({
  name: z.string(),
  status: z.enum(appStatuses),
  /**
   * When the status was last confirmed: the oldest last observation among its live instances (ISO 8601); null when it
   * has none to observe (not deployed, stopped, scaled to zero) or none was observed since slipwayd started.
   */
  observedAt: z.string().nullable(),
  /**
   * How old `observedAt` may grow before the status is no longer believed (three probe intervals, ms): a client that
   * stops hearing from slipwayd ages the status by its own clock and reads it as unknown past this. Null with
   * `observedAt`.
   */
  staleAfterMs: z.number().int().nullable(),
  release: z
    .object({
      number: z.number().int(),
      /** The git commit it was built from, when it came from git. */
      commit: z.string().nullable(),
      /** The image digest it runs, when it runs an image. */
      imageDigest: z.string().nullable(),
      createdAt: z.string(),
    })
    .nullable(),
  instances: z.object({
    /** Live instances (not draining, stopping or stopped). */
    total: z.number().int(),
    healthy: z.number().int(),
    starting: z.number().int(),
    unhealthy: z.number().int(),
    crashed: z.number().int(),
    crashLooping: z.number().int(),
    /** Instances the scale asks for. */
    desired: z.number().int(),
  }),
  lastDeployment: z
    .object({
      id: z.string(),
      kind: z.string(),
      state: z.enum(deploymentStates),
      createdAt: z.string(),
      finishedAt: z.string().nullable(),
    })
    .nullable(),
});
export type AppOverviewRow = z.infer<typeof appOverviewRowSchema>;

export const appsOverviewResponseSchema = z.object({
  project: z.string(),
  environment: z.string(),
  /** Apps matching the search, over every page. */
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  apps: z.array(appOverviewRowSchema),
});
export type AppsOverviewView = z.infer<typeof appsOverviewResponseSchema>;
