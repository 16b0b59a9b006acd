/** The `slipway.yaml` manifest: one zod schema, so every error is reported with its path. */
import { z } from 'zod';
import { autoscaleSpecSchema } from './autoscale-spec.js';
import { parseByteSize } from './byte-size.js';
import { appEnvKeySchema, dnsLabelSchema, envKeySchema, envValueSchema, processTypeSchema } from './names.js';
import { strictObject } from './strict-object.js';
import { strategySchema } from './strategy-spec.js';

/**
 * The largest `slipway.yaml` Slipway reads, wherever it comes from (a source tree, the validate API, the CLI): a
 * manifest is settings, not data, and parsing is synchronous, so an unbounded one would freeze the control plane.
 */
export const maxManifestBytes = 256 * 1024;
/** YAML aliases a manifest may expand; a few are handy for shared blocks, thousands are an expansion bomb. */
export const maxManifestAliasCount = 100;

const seconds = (max: number) => z.number().min(0).max(max);

/** An origin-form request target: `/`, then visible ASCII, and not `//` (which some clients read as a host). */
export const healthCheckPathPattern = /^\/(?!\/)[\x21-\x7e]*$/;

/** Keys of one kind of health check given to another: where each belongs. */
const otherCheckKeys = {
  path: 'only an http check requests a path; remove it, or use type: http',
  expectedStatus: 'only an http check has an expectedStatus; remove it, or use type: http',
  command: 'only an exec check runs a command; remove it, or use type: exec',
};
const checkTimingKeys = {
  intervalSeconds: 'a check of type none never runs; remove it, or use type http, tcp or exec',
  timeoutSeconds: 'a check of type none never runs; remove it, or use type http, tcp or exec',
  retries: 'a check of type none never runs; remove it, or use type http, tcp or exec',
  startPeriodSeconds: 'a check of type none never runs; remove it, or use type http, tcp or exec',
};

export const healthCheckSchema = z.discriminatedUnion('type', [
  strictObject(
    {
      type: z.literal('http'),
      /**
       * Requested of the instance's own address, never of another host: an origin-form path (RFC 9112 §3.2.1) of
       * visible ASCII, so nothing in it can name a host or break the request line.
       */
      path: z
        .string()
        .max(1024)
        .regex(healthCheckPathPattern, 'must be a path like /healthz (visible ASCII, not starting with //)')
        .default('/'),
      /** Accepted statuses: an exact code, or `Nxx` for a class. Default: anything below 500. */
      expectedStatus: z.union([z.number().int().min(100).max(599), z.string().regex(/^[1-5]xx$/)]).optional(),
      intervalSeconds: seconds(3600).default(2),
      timeoutSeconds: seconds(300).default(2),
      retries: z.number().int().min(1).max(100).default(3),
      startPeriodSeconds: seconds(3600).default(30),
    },
    { command: otherCheckKeys.command },
  ),
  strictObject(
    {
      type: z.literal('tcp'),
      intervalSeconds: seconds(3600).default(2),
      timeoutSeconds: seconds(300).default(2),
      retries: z.number().int().min(1).max(100).default(3),
      startPeriodSeconds: seconds(3600).default(30),
    },
    otherCheckKeys,
  ),
  strictObject(
    {
      type: z.literal('exec'),
      command: z.string().min(1).max(8192),
      intervalSeconds: seconds(3600).default(5),
      timeoutSeconds: seconds(300).default(5),
      retries: z.number().int().min(1).max(100).default(3),
      startPeriodSeconds: seconds(3600).default(30),
    },
    { path: otherCheckKeys.path, expectedStatus: otherCheckKeys.expectedStatus },
  ),
  strictObject({ type: z.literal('none') }, { ...otherCheckKeys, ...checkTimingKeys }),
]);
export type HealthCheck = z.infer<typeof healthCheckSchema>;

/** Where instances run: local processes, containers on the Docker Engine, or services of a Docker Swarm. */
export const runtimeNames = ['process', 'docker', 'swarm'] as const;
export type RuntimeName = (typeof runtimeNames)[number];

/** Below this the engine refuses to start a container. */
const minMemoryBytes = 6 * 1024 * 1024;
/** Beyond any one machine Slipway runs on: a larger figure is a typo (bytes where megabytes were meant). */
const maxMemoryBytes = 1024 ** 4;

export const resourcesSchema = strictObject({
  /** RAM, bytes or `256m` / `1.5GiB` (no swap beyond it); over it, the instance is killed and reported OOM. */
  memory: z
    .union([z.number().int(), z.string().max(32)])
    .transform((value, context) => {
      const bytes = parseByteSize(value);
      if (bytes === undefined || bytes < minMemoryBytes || bytes > maxMemoryBytes) {
        context.addIssue({ code: 'custom', message: 'must be a size from 6 MiB to 1 TiB, like 256m or 1GiB' });
        return z.NEVER;
      }
      return bytes;
    })
    .optional(),
  /** CPU time in CPUs (0.5 = half a CPU). */
  cpus: z.number().min(0.01).max(1024).optional(),
  /** Processes and threads at once. */
  pids: z.number().int().min(1).max(4_194_304).optional(),
});
export type Resources = z.infer<typeof resourcesSchema>;

/** Swarm placement constraints, as `docker service create --constraint` takes them (`node.labels.zone==a`). */
const placementSchema = strictObject({
  constraints: z
    .array(
      z
        .string()
        .max(256)
        .regex(/^[A-Za-z0-9_.-]+\s*(==|!=)\s*\S+$/, 'must be like node.labels.zone==a or node.role!=manager'),
    )
    .max(20)
    .default([]),
});

export const processSchema = strictObject({
  command: z.string().min(1).max(8192).optional(),
  replicas: z.number().int().min(0).max(100).optional(),
  healthCheck: healthCheckSchema.optional(),
  /** Time between SIGTERM and SIGKILL when an instance is stopped. */
  stopGraceSeconds: seconds(3600).optional(),
  /** Limits of this process type's instances, over the app's `resources`. */
  resources: resourcesSchema.optional(),
  /** Instances follow the load between `min` and `max` (docs/autoscaling.md); the autoscaler then owns the count. */
  autoscale: autoscaleSpecSchema.optional(),
});
export type ProcessSpec = z.infer<typeof processSchema>;

/** `dockerfile` builds an image from a Dockerfile; `image` takes a ready image (`image:` in the manifest or the request). */
export const builderNames = ['procfile', 'node', 'static', 'python', 'dockerfile', 'image'] as const;
export type BuilderName = (typeof builderNames)[number];

export const buildSchema = strictObject({
  builder: z.enum(['auto', ...builderNames]).default('auto'),
  /** Overrides the builder's build command (run with `sh -c` in the source directory). */
  command: z.string().min(1).max(8192).optional(),
  /** For `static`: the directory to serve, relative to the source root. */
  publicDir: z.string().min(1).max(1024).optional(),
  timeoutSeconds: seconds(86_400).default(900),
  /** For `dockerfile`: the Dockerfile, relative to the source root (default `Dockerfile`); the root is the context. */
  dockerfile: z.string().min(1).max(1024).optional(),
  /** For `dockerfile`: `--build-arg`s. They are recorded in the image's history: never put a secret here. */
  args: z
    .record(envKeySchema, z.union([envValueSchema, z.number(), z.boolean()]).transform(String))
    .refine((a) => Object.keys(a).length <= 100, 'at most 100 build args')
    .optional(),
  /** For `dockerfile`: names of the app's secrets the build may read, which never land in a layer or the history. */
  secrets: z.array(envKeySchema).max(100).optional(),
  /** For `dockerfile`: the stage to build in a multi-stage Dockerfile. */
  target: z.string().min(1).max(128).optional(),
});
export type BuildSpec = z.infer<typeof buildSchema>;

/** A route's host: a lowercase hostname, or `*.` and one (a wildcard for every host under it). */
export const routeHostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
    'must be a lowercase hostname, optionally starting with "*."',
  );

/** Collapses repeated slashes and drops a trailing one: `//` is `/`, `/api//v1/` is `/api/v1`. */
export function normaliseRoutePath(path: string): string {
  return path.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
}

/**
 * A route's path prefix, normalised so that two spellings of one prefix are one prefix: repeated slashes collapse
 * (`//` is `/`, which the edge would otherwise read as a prefix of every path) and a trailing slash goes. Dot
 * segments, `%`-escapes, queries, fragments and anything outside the path characters of RFC 3986 §3.3 are refused,
 * since the edge compares prefixes as given.
 */
export const routePathSchema = z
  .string()
  .max(1024)
  .startsWith('/')
  .regex(/^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/, 'must hold only path characters (no %-escapes, "?" or "#")')
  .transform(normaliseRoutePath)
  .refine((path) => !path.split('/').some((s) => s === '.' || s === '..'), 'must not hold "." or ".." segments');

export const routeSpecSchema = strictObject({
  host: routeHostSchema,
  path: routePathSchema.default('/'),
  process: processTypeSchema.default('web'),
  /** Per-route upstream timeout. */
  timeoutSeconds: seconds(3600).optional(),
});
export type RouteSpec = z.infer<typeof routeSpecSchema>;

/** What one environment changes of the app's runtime settings (`environments.staging.runtime: docker`). */
const environmentOverrideSchema = strictObject({
  runtime: z.enum(runtimeNames).optional(),
  resources: resourcesSchema.optional(),
  placement: placementSchema.optional(),
});

/** An image reference: `name[:tag]` or `name@sha256:<64 hex>`, or an image id `sha256:<64 hex>`. */
export const imageReferenceSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(
    /^(sha256:[a-f0-9]{64}|[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?)$/,
    'must be an image reference like name:tag, name@sha256:<digest> or sha256:<id>',
  );

/** Settings of a process type written at the top level: where they go instead (`healthcheck` is a common spelling). */
const processKeysAtTop: Readonly<Record<string, string>> = Object.fromEntries(
  (
    [
      ['command', 'command'],
      ['replicas', 'replicas'],
      ['healthCheck', 'healthCheck'],
      ['healthcheck', 'healthCheck'],
      ['health_check', 'healthCheck'],
      ['stopGraceSeconds', 'stopGraceSeconds'],
      ['autoscale', 'autoscale'],
    ] as const
  ).map(([key, name]) => [
    key,
    `it is a setting of a process type: write it as processes.web.${name} (or under another type)`,
  ]),
);

export const manifestSchema = strictObject(
  {
    /** Where instances run; default `docker` for an image (Dockerfile or `image:`), else `process`. */
    runtime: z.enum(runtimeNames).optional(),
    /** Deploy this image instead of building the source. */
    image: imageReferenceSchema.optional(),
    /** Port the program listens on inside its container; default: the port Slipway gives it in `PORT`. */
    port: z.number().int().min(1).max(65_535).optional(),
    resources: resourcesSchema.optional(),
    placement: placementSchema.optional(),
    environments: z
      .record(dnsLabelSchema, environmentOverrideSchema)
      .refine((e) => Object.keys(e).length <= 50, 'at most 50 environments')
      .optional(),
    build: buildSchema.optional(),
    processes: z
      .record(processTypeSchema, processSchema)
      .refine((p) => Object.keys(p).length <= 50, 'at most 50 process types')
      .optional(),
    strategy: strategySchema.optional(),
    env: z
      .record(appEnvKeySchema, z.union([envValueSchema, z.number(), z.boolean()]).transform(String))
      .refine((e) => Object.keys(e).length <= 1000, 'at most 1000 variables')
      .optional(),
    routes: z.array(routeSpecSchema).max(100).optional(),
  },
  processKeysAtTop,
);
export type Manifest = z.infer<typeof manifestSchema>;
