/** The `slipway.yaml` manifest: one zod schema, so every error is reported with its path. */
import { z } from 'zod';
import { envKeySchema, envValueSchema, processTypeSchema } from './names.js';

const seconds = (max: number) => z.number().min(0).max(max);

export const healthCheckSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('http'),
    path: z.string().max(1024).startsWith('/').default('/'),
    /** Accepted statuses: an exact code, or `Nxx` for a class. Default: anything below 500. */
    expectedStatus: z.union([z.number().int().min(100).max(599), z.string().regex(/^[1-5]xx$/)]).optional(),
    intervalSeconds: seconds(3600).default(2),
    timeoutSeconds: seconds(300).default(2),
    retries: z.number().int().min(1).max(100).default(3),
    startPeriodSeconds: seconds(3600).default(30),
  }),
  z.object({
    type: z.literal('tcp'),
    intervalSeconds: seconds(3600).default(2),
    timeoutSeconds: seconds(300).default(2),
    retries: z.number().int().min(1).max(100).default(3),
    startPeriodSeconds: seconds(3600).default(30),
  }),
  z.object({
    type: z.literal('exec'),
    command: z.string().min(1).max(8192),
    intervalSeconds: seconds(3600).default(5),
    timeoutSeconds: seconds(300).default(5),
    retries: z.number().int().min(1).max(100).default(3),
    startPeriodSeconds: seconds(3600).default(30),
  }),
  z.object({ type: z.literal('none') }),
]);
export type HealthCheck = z.infer<typeof healthCheckSchema>;

export const processSchema = z.object({
  command: z.string().min(1).max(8192).optional(),
  replicas: z.number().int().min(0).max(100).optional(),
  healthCheck: healthCheckSchema.optional(),
  /** Time between SIGTERM and SIGKILL when an instance is stopped. */
  stopGraceSeconds: seconds(3600).optional(),
});
export type ProcessSpec = z.infer<typeof processSchema>;

const intOrPercent = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d{1,3}%$/, 'must be an integer or a percentage like "25%"'),
]);

export const strategySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('recreate'), progressDeadlineSeconds: seconds(86_400).default(600) }),
  z.object({
    type: z.literal('rolling'),
    /** Kubernetes' defaults: 25 % surge (rounded up), 25 % unavailable (rounded down). */
    maxSurge: intOrPercent.default('25%'),
    maxUnavailable: intOrPercent.default('25%'),
    progressDeadlineSeconds: seconds(86_400).default(600),
  }),
]);
export type Strategy = z.infer<typeof strategySchema>;

export const builderNames = ['procfile', 'node', 'static', 'python'] as const;
export type BuilderName = (typeof builderNames)[number];

export const buildSchema = z.object({
  builder: z.enum(['auto', ...builderNames]).default('auto'),
  /** Overrides the builder's build command (run with `sh -c` in the source directory). */
  command: z.string().min(1).max(8192).optional(),
  /** For `static`: the directory to serve, relative to the source root. */
  publicDir: z.string().min(1).max(1024).optional(),
  timeoutSeconds: seconds(86_400).default(900),
});
export type BuildSpec = z.infer<typeof buildSchema>;

export const routeSpecSchema = z.object({
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(
      /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
      'must be a lowercase hostname, optionally starting with "*."',
    ),
  path: z.string().max(1024).startsWith('/').default('/'),
  process: processTypeSchema.default('web'),
  /** Per-route upstream timeout. */
  timeoutSeconds: seconds(3600).optional(),
});
export type RouteSpec = z.infer<typeof routeSpecSchema>;

export const manifestSchema = z
  .object({
    build: buildSchema.optional(),
    processes: z
      .record(processTypeSchema, processSchema)
      .refine((p) => Object.keys(p).length <= 50, 'at most 50 process types')
      .optional(),
    strategy: strategySchema.optional(),
    env: z
      .record(envKeySchema, z.union([envValueSchema, z.number(), z.boolean()]).transform(String))
      .refine((e) => Object.keys(e).length <= 1000, 'at most 1000 variables')
      .optional(),
    routes: z.array(routeSpecSchema).max(100).optional(),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

export interface ManifestIssue {
  path: string;
  message: string;
}

/** Formats zod issues as `path: message` pairs; the root is called `(root)`. */
export function manifestIssues(error: z.ZodError): ManifestIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
