/**
 * The subset of the compose specification Slipway reads, as one zod schema. Objects are loose: keys Slipway does not
 * map pass through, so the plan can list each of them as unsupported instead of dropping it.
 */
import { z } from 'zod';
import { parseByteSize } from '../byte-size.js';

const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds of a compose duration (`1m30s`, `500ms`, `2h`, `1.5s`); undefined when it is not one. */
export function parseComposeDurationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(trimmed)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    seconds += Number(amount) * (units[unit ?? 's'] ?? 1);
  return Math.round(seconds * 1000) / 1000;
}

/** A value checked and converted by `convert`, which names what it wanted when it returns undefined. */
const converted = <T>(expected: string, convert: (value: unknown) => T | undefined) =>
  z.unknown().transform((value, context) => {
    const result = convert(value);
    if (result === undefined) {
      context.addIssue({ code: 'custom', message: `must be ${expected} (got ${JSON.stringify(value)})` });
      return z.NEVER;
    }
    return result;
  });

/** Numbers may arrive as text once `${VAR}` is interpolated, so both are read. */
const numberOf = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
};

export const composeInteger = (min: number, max: number) =>
  converted(`a whole number from ${min} to ${max}`, (value) => {
    const n = numberOf(value);
    return n !== undefined && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  });

/** A duration in seconds. */
export const composeDuration = converted('a duration like 10s, 1m30s or 500ms', (value) =>
  typeof value === 'string' ? parseComposeDurationSeconds(value) : undefined,
);

/** Below this the Docker Engine refuses to start a container. */
const minMemoryBytes = 6 * 1024 * 1024;

/** A memory size in bytes (`512m`, `1gb`, `1073741824`), at least what the engine accepts. */
export const composeMemory = converted('a size of at least 6 MiB like 256m or 1g', (value) => {
  const bytes = typeof value === 'number' || typeof value === 'string' ? parseByteSize(value) : undefined;
  return bytes !== undefined && bytes >= minMemoryBytes ? bytes : undefined;
});

/** CPUs as a number (`0.5`, `"1.5"`). */
export const composeCpus = converted('a number of CPUs from 0.01 to 1024 like 0.5', (value) => {
  const n = numberOf(value);
  return n !== undefined && n >= 0.01 && n <= 1024 ? n : undefined;
});

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const stringOrList = z.union([z.string(), z.array(z.string())], {
  error: 'must be a string or a list of strings',
});

/** `KEY: value` or `["KEY=value", "KEY"]`; a null value or a bare `KEY` means "from the environment". */
export const composeVariables = z.union([z.record(z.string(), z.union([scalar, z.null()])), z.array(z.string())], {
  error: 'must be a map of NAME: value or a list of "NAME=value"',
});

const buildSchema = z.union(
  [
    z.string(),
    z.looseObject({
      context: z.string().default('.'),
      dockerfile: z.string().min(1).optional(),
      args: composeVariables.optional(),
      target: z.string().min(1).optional(),
    }),
  ],
  { error: 'must be a context directory or { context, dockerfile, args, target }' },
);

const portEntry = z.union(
  [
    z.number(),
    z.string(),
    z.looseObject({
      target: composeInteger(1, 65_535),
      published: z.union([z.string(), z.number()]).optional(),
      host_ip: z.string().optional(),
      protocol: z.string().optional(),
    }),
  ],
  { error: 'must be "HOST:CONTAINER", "CONTAINER" or { target, published }' },
);

const dependencyConditions = ['service_started', 'service_healthy', 'service_completed_successfully'] as const;
export type DependencyCondition = (typeof dependencyConditions)[number];

const dependsOnSchema = z.union(
  [
    z.array(z.string()),
    z.record(
      z.string(),
      z.looseObject({
        condition: z.enum(dependencyConditions).default('service_started'),
        required: z.boolean().default(true),
      }),
    ),
  ],
  { error: 'must be a list of services or a map of service: { condition }' },
);

const healthcheckSchema = z.looseObject({
  test: stringOrList.optional(),
  interval: composeDuration.optional(),
  timeout: composeDuration.optional(),
  retries: composeInteger(1, 100).optional(),
  start_period: composeDuration.optional(),
  disable: z.boolean().optional(),
});

const deploySchema = z.looseObject({
  replicas: composeInteger(0, 100).optional(),
  resources: z
    .looseObject({
      limits: z
        .looseObject({
          cpus: composeCpus.optional(),
          memory: composeMemory.optional(),
          pids: composeInteger(1, 4_194_304).optional(),
        })
        .optional(),
    })
    .optional(),
  placement: z.looseObject({ constraints: z.array(z.string()).optional() }).optional(),
  update_config: z.looseObject({ order: z.enum(['start-first', 'stop-first']).optional() }).optional(),
});

export const composeServiceSchema = z.looseObject({
  image: z.string().min(1).optional(),
  build: buildSchema.optional(),
  command: stringOrList.optional(),
  environment: composeVariables.optional(),
  env_file: z
    .union(
      [
        z.string(),
        z.array(z.union([z.string(), z.looseObject({ path: z.string(), required: z.boolean().default(true) })])),
      ],
      {
        error: 'must be a file, or a list of files or { path, required }',
      },
    )
    .optional(),
  ports: z.array(portEntry).optional(),
  expose: z.array(z.union([z.string(), z.number()])).optional(),
  depends_on: dependsOnSchema.optional(),
  healthcheck: healthcheckSchema.optional(),
  deploy: deploySchema.optional(),
  scale: composeInteger(0, 100).optional(),
  stop_grace_period: composeDuration.optional(),
  mem_limit: composeMemory.optional(),
  cpus: composeCpus.optional(),
  pids_limit: composeInteger(1, 4_194_304).optional(),
  profiles: z.array(z.string()).optional(),
});
export type ComposeService = z.infer<typeof composeServiceSchema>;

/** Compose service names: what `docker compose` itself accepts; whether one can become an app name is the plan's call. */
const serviceNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'service names hold only letters, digits, "_", "." and "-"');

export const composeFileSchema = z.looseObject({
  name: z.string().optional(),
  services: z.record(serviceNameSchema, composeServiceSchema),
});
export type ComposeFile = z.infer<typeof composeFileSchema>;
