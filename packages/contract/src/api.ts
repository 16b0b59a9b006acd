/** Request and response bodies of the HTTP API under `/api/v1`; the server validates with these and builds OpenAPI from them. */
import { z } from 'zod';
import { imageReferenceSchema } from './manifest.js';
import { logTimeSchema } from './log-time.js';
import { appEnvKeySchema, dnsLabelSchema, envKeySchema, envValueSchema, processTypeSchema } from './names.js';
import {
  appSchema,
  deploymentSchema,
  instanceSchema,
  logLineSchema,
  projectSchema,
  releaseSchema,
} from './resources.js';

export const environmentQuerySchema = z.object({ environment: dnsLabelSchema.default('production') });

export const appParamsSchema = z.object({ app: dnsLabelSchema });
export const deploymentParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const createProjectBodySchema = z.object({ name: dnsLabelSchema }).strict();
export const createAppBodySchema = z
  .object({ name: dnsLabelSchema, project: dnsLabelSchema.default('default') })
  .strict();

export const configPatchBodySchema = z
  .object({
    set: z
      .record(appEnvKeySchema, envValueSchema)
      .refine((set) => Object.keys(set).length <= 1000, 'at most 1000 variables at once')
      .default({}),
    unset: z.array(envKeySchema).max(1000).default([]),
    /** When true (the default) and the app has a release, a new release with the new config is rolled out. */
    deploy: z.boolean().default(true),
  })
  .strict();

/**
 * A manifest sent with the request: its top-level keys replace those of the source's `slipway.yaml` (for an image,
 * it is the whole manifest). Validated as a manifest when the deployment builds; here only its size is bounded.
 */
const inlineManifestSchema = z
  .record(z.string().max(64), z.unknown())
  .refine((manifest) => JSON.stringify(manifest).length <= 256 * 1024, 'at most 256 KiB');

/** JSON deployment requests; an archive is uploaded as the raw body with `Content-Type: application/gzip`. */
export const createDeploymentBodySchema = z.union([
  z.object({ path: z.string().min(1).max(4096), manifest: inlineManifestSchema.optional() }).strict(),
  z
    .object({
      git: z.object({ url: z.string().min(1).max(2048), ref: z.string().min(1).max(255).optional() }).strict(),
      manifest: inlineManifestSchema.optional(),
    })
    .strict(),
  /** A ready image: deployed without a build (`name:tag`, `name@sha256:…` or an image id). */
  z.object({ image: imageReferenceSchema, manifest: inlineManifestSchema.optional() }).strict(),
  /**
   * One of the project's repositories (`slipway repos add`), at a branch or full ref (default `main`, else `master`),
   * resolved to its commit through the repository's mirror; `path`: a directory of it to deploy instead of its root.
   */
  z
    .object({
      repository: z
        .object({
          name: z.string().min(1).max(255),
          ref: z.string().min(1).max(1024).optional(),
          path: z.string().min(1).max(1024).optional(),
        })
        .strict(),
      manifest: inlineManifestSchema.optional(),
    })
    .strict(),
]);
export type CreateDeploymentBody = z.infer<typeof createDeploymentBodySchema>;

export const rollbackBodySchema = z.object({ toRelease: z.number().int().min(1).optional() }).strict();

export const scaleBodySchema = z
  .object({
    processes: z
      .record(processTypeSchema, z.number().int().min(0).max(100))
      .refine((p) => Object.keys(p).length <= 50, 'at most 50 process types'),
  })
  .strict();

export const logsQuerySchema = z.object({
  environment: dnsLabelSchema.default('production'),
  tail: z.coerce.number().int().min(0).max(10_000).default(100),
  follow: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  process: processTypeSchema.optional(),
  /**
   * Read the persisted log (docs/logs.md) from this time: a duration back from now (`1h`) or an ISO 8601 time. Any of
   * `since`, `until`, `grep`, `after` (or a `Last-Event-ID` header) reads the persisted log instead of the runtime.
   */
  since: logTimeSchema.optional(),
  /** Only lines written before this time (same forms as `since`). */
  until: logTimeSchema.optional(),
  /** Only lines containing this text (case-sensitive). */
  grep: z.string().min(1).max(200).optional(),
  /** Only lines whose id is greater (resume where a reader stopped). */
  after: z.coerce.number().int().min(0).optional(),
  /** With the persisted log: every environment rather than only `environment`. */
  allEnvironments: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

export const listAppsResponseSchema = z.object({ apps: z.array(appSchema) });
export const listProjectsResponseSchema = z.object({ projects: z.array(projectSchema) });
/**
 * An app environment's config vars. A release is code plus config: while nothing is pending, `config` is the config of
 * the current release (`release`); `pendingKeys` are the keys stored with `deploy: false` that differ from it, applied
 * by the next deploy.
 */
export const configResponseSchema = z.object({
  config: z.record(z.string(), z.string()),
  /** The number of the current release, or null before the first deploy. */
  release: z.number().int().nullable(),
  pendingKeys: z.array(z.string()),
  deploymentId: z.string().nullable(),
});
/** A config change; `isChanged` is false when it changed nothing (every value already so): no release was made. */
export const configChangeResponseSchema = configResponseSchema.extend({ isChanged: z.boolean() });
export const createDeploymentResponseSchema = z.object({ deployment: deploymentSchema, eventsUrl: z.string() });
export const listDeploymentsResponseSchema = z.object({ deployments: z.array(deploymentSchema) });
export const listReleasesResponseSchema = z.object({ releases: z.array(releaseSchema) });
export const scaleResponseSchema = z.object({ processes: z.record(z.string(), z.number().int()) });
export const listInstancesResponseSchema = z.object({ instances: z.array(instanceSchema) });
/** What a log tail left out to stay within its bounds; absent when nothing was. */
export const logTailOmissionSchema = z.object({
  /** The lines each instance gave at most (below the `tail` asked for when the app has many instances). */
  tailPerInstance: z.number().int().min(0),
  /** Instances of which some of the tail, or all of it, was left out once the answer reached its bound. */
  instancesCut: z.number().int().min(0),
  message: z.string(),
});
export type LogTailOmission = z.infer<typeof logTailOmissionSchema>;
export const logsResponseSchema = z.object({
  lines: z.array(logLineSchema),
  omitted: logTailOmissionSchema.optional(),
  /** Persisted log read from a point: the answer stopped at its bound; ask again with `after` set to this. */
  nextAfter: z.number().int().optional(),
});
export const validateBodySchema = z.object({ manifest: z.string().max(1_000_000) }).strict();
export const validateResponseSchema = z.object({
  isValid: z.boolean(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});
