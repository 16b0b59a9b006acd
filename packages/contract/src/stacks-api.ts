/**
 * Stacks: a docker compose file (sent, or read from a repository Slipway knows) whose services are apps of one
 * project, deployed together — one deployment per service, each after what it depends on is healthy.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';

/** Where a stack's compose file comes from, as shown. */
export const stackSourceViewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), fileName: z.string() }),
  z.object({ kind: z.literal('repository'), repository: z.string(), path: z.string(), ref: z.string() }),
]);

export const stackServiceDeploymentStates = ['waiting', 'deploying', 'succeeded', 'failed', 'skipped'] as const;

export const stackDeploymentSchema = z.object({
  id: z.string(),
  stack: z.string(),
  environment: z.string(),
  kind: z.enum(['deploy', 'rollback']),
  state: z.enum(['running', 'succeeded', 'failed']),
  commit: z.string().nullable(),
  ref: z.string().nullable(),
  /** In deployment order. */
  services: z.array(
    z.object({
      service: z.string(),
      app: z.string(),
      dependsOn: z.array(z.string()),
      deploymentId: z.string().nullable(),
      state: z.enum(stackServiceDeploymentStates),
      reason: z.string().nullable(),
    }),
  ),
  reason: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type StackDeploymentView = z.infer<typeof stackDeploymentSchema>;

/**
 * A service's health in the environment shown: `healthy` (every instance of its current release healthy), `starting`,
 * `unhealthy` (an instance unhealthy or crashed, or none running), `not-deployed` (no release yet).
 */
export const stackServiceHealths = ['healthy', 'starting', 'unhealthy', 'not-deployed'] as const;

/**
 * The stack as a whole: `deploying` (a stack deployment runs), `failed` (the last one failed), `healthy` (every
 * service healthy), `degraded` (some are not), `not-deployed` (no service has a release).
 */
export const stackStatuses = ['deploying', 'failed', 'healthy', 'degraded', 'not-deployed'] as const;

export const stackSchema = z.object({
  id: z.string(),
  name: z.string(),
  project: z.string(),
  runtime: z.enum(['docker', 'swarm']),
  source: stackSourceViewSchema,
  environment: z.string(),
  status: z.enum(stackStatuses),
  /** In deployment order. */
  services: z.array(
    z.object({
      service: z.string(),
      app: z.string(),
      dependsOn: z.array(z.string()),
      /** `image busybox:1.36`, `build ./web`, `repository` (built from the commit deployed). */
      source: z.string(),
      health: z.enum(stackServiceHealths),
      release: z.number().int().nullable(),
      instances: z.object({ total: z.number().int(), healthy: z.number().int() }),
    }),
  ),
  /** Compose keys that do not carry over, and differences worth knowing, from the last plan. */
  notices: z.array(z.object({ path: z.string(), reason: z.string() })),
  lastDeployment: stackDeploymentSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StackView = z.infer<typeof stackSchema>;

export const listStacksResponseSchema = z.object({ stacks: z.array(stackSchema) });
export const stackParamsSchema = z.object({ stack: dnsLabelSchema });

const composeTextLimit = 256 * 1024;

/**
 * A stack from a compose file: its text, the variables it uses and the env files its services name (by the absolute
 * paths they resolve to on the machine that read them), build contexts as directories of that machine.
 */
export const stackFileSourceSchema = z
  .object({
    kind: z.literal('file'),
    fileName: z.string().min(1).max(255),
    /** Absolute directory of the file: build contexts and env files are relative to it. */
    composeDir: z.string().startsWith('/').max(4096),
    compose: z.string().min(1).max(composeTextLimit),
    variables: z.record(z.string().max(256), z.string().max(64 * 1024)).default({}),
    envFiles: z.record(z.string().max(4096), z.record(z.string().max(256), z.string().max(64 * 1024))).default({}),
  })
  .strict();

/** A stack from a compose file in a repository of the project (`slipway repos`), read at each deployed commit. */
export const stackRepositorySourceSchema = z
  .object({
    kind: z.literal('repository'),
    /** The repository's name in the project, or its id. */
    repository: z.string().min(1).max(200),
    path: z
      .string()
      .min(1)
      .max(1024)
      .refine((path) => !path.startsWith('/') && !path.split('/').includes('..'), {
        message: 'a path inside the repository: relative, without ".."',
      })
      .default('docker-compose.yml'),
    ref: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9._/-]+$/, 'a branch or tag name')
      .refine((ref) => !ref.includes('..'), { message: 'a branch or tag name without ".."' })
      .default('main'),
  })
  .strict();

export const putStackBodySchema = z
  .object({
    name: dnsLabelSchema,
    /** The project of its apps (the CLI's default: the stack's name); created when missing. */
    project: dnsLabelSchema,
    prefix: z.string().max(40).optional(),
    runtime: z.enum(['docker', 'swarm']).default('docker'),
    source: z.discriminatedUnion('kind', [stackFileSourceSchema, stackRepositorySourceSchema]),
  })
  .strict();
export type PutStackBody = z.input<typeof putStackBodySchema>;

export const putStackResponseSchema = z.object({
  stack: stackSchema,
  isCreated: z.boolean(),
  /** What docker compose would warn about (variables used unset). */
  warnings: z.array(z.string()),
});
export type PutStackResponse = z.infer<typeof putStackResponseSchema>;

export const stackEnvironmentQuerySchema = z.object({ environment: dnsLabelSchema.default('production') });

export const deployStackBodySchema = z
  .object({
    /** A repository stack: the branch or tag (default the stack's) or exact commit to deploy. */
    ref: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9._/-]+$/)
      .optional(),
    commit: z
      .string()
      .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/)
      .optional(),
  })
  .strict();
export type DeployStackBody = z.infer<typeof deployStackBodySchema>;

export const stackDeploymentResponseSchema = z.object({ deployment: stackDeploymentSchema });
export const stackDeploymentParamsSchema = z.object({ stack: dnsLabelSchema, id: z.string().min(1).max(100) });
