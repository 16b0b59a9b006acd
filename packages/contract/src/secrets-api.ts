/**
 * Request and response bodies of the secrets routes: `/api/v1/apps/:app/secrets` and `/api/v1/master-key/rotate`.
 * Secret values are write-only: they appear in request bodies and nowhere in any answer.
 */
import { z } from 'zod';
import { appEnvKeySchema, dnsLabelSchema } from './names.js';

/**
 * A secret's name is an environment variable name. Names Slipway sets itself (`PORT`, `SLIPWAY_*`) are refused:
 * the instance would never see the secret under them.
 */
export const secretNameSchema = appEnvKeySchema;

/** At most 32 KiB, like a config value; no NUL byte, which no environment variable can hold. */
export const secretValueSchema = z
  .string()
  .max(32_768)
  .refine((value) => !value.includes('\u0000'), 'must not contain a NUL byte');

export const secretParamsSchema = z.object({ app: dnsLabelSchema, name: secretNameSchema });

export const setSecretBodySchema = z
  .object({
    value: secretValueSchema,
    /** When true (the default) and the app has a release, a new release with the new secret is rolled out. */
    deploy: z.boolean().default(true),
  })
  .strict();

/** Several changes in one release: what `slipway secrets set A=1 B=2` sends. */
export const patchSecretsBodySchema = z
  .object({
    set: z
      .record(secretNameSchema, secretValueSchema)
      .refine((set) => Object.keys(set).length <= 1000, 'at most 1000 secrets at once')
      .default({}),
    unset: z.array(secretNameSchema).max(1000).default([]),
    deploy: z.boolean().default(true),
  })
  .strict()
  .refine((body) => Object.keys(body.set).length + body.unset.length > 0, 'set or unset at least one secret')
  .refine((body) => body.unset.every((name) => !(name in body.set)), 'a name cannot be both set and unset');

export const deleteSecretQuerySchema = z.object({
  environment: dnsLabelSchema.default('production'),
  deploy: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

/** What is known of a secret without its value. */
export const secretSchema = z.object({
  name: z.string(),
  /** 1 for the first value, +1 on each change (set or unset); a release records the versions it carries. */
  version: z.number().int(),
  updatedAt: z.string(),
});
export type SecretView = z.infer<typeof secretSchema>;

export const listSecretsResponseSchema = z.object({ secrets: z.array(secretSchema) });

/** `deploymentId` is set when the change rolls out a new release. */
export const secretChangeResponseSchema = z.object({
  /** The secrets of the app environment after the change (names, versions and times only). */
  secrets: z.array(secretSchema),
  deploymentId: z.string().nullable(),
  /** False when every value was already so (and nothing was pending): nothing was written, no release was made. */
  isChanged: z.boolean(),
});

/** The rotation takes no parameters: a body, if any, must be an empty object. */
export const rotateMasterKeyBodySchema = z.object({}).strict().optional();

export const rotateMasterKeyResponseSchema = z.object({
  /** Id (a fingerprint) of the master key that now wraps every data key. */
  masterKeyId: z.string(),
  /** Data keys re-wrapped by this rotation. */
  rewrappedDataKeys: z.number().int(),
});
