/**
 * Pull-request previews (`slipway previews`): an app's preview settings (which repository, how many at once, how long
 * an idle one lives, where statuses go) and its previews, one per pull request.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';

export const previewProviderKinds = ['github', 'gitlab', 'gitea', 'bitbucket'] as const;
export const previewStates = ['waiting-approval', 'limited', 'deploying', 'ready', 'failed', 'removing'] as const;

/** The largest pull request number a preview is made for: the API's routes address every preview a webhook makes. */
export const maxPullRequestNumber = 9_999_999_999;

export const previewParamsSchema = z.object({
  app: dnsLabelSchema,
  number: z.coerce.number().int().min(1).max(maxPullRequestNumber),
});

export const previewSchema = z.object({
  app: z.string(),
  number: z.number().int(),
  title: z.string(),
  /** The environment `pr-<n>`. */
  environment: z.string(),
  state: z.enum(previewStates),
  headRef: z.string(),
  /** The commit the preview serves or is about to. */
  commit: z.string(),
  isFork: z.boolean(),
  approvedBy: z.string().nullable(),
  /** `pr-<n>.<app>.<preview domain>` and the per-commit alias. */
  host: z.string(),
  aliasHost: z.string(),
  deploymentId: z.string().nullable(),
  lastEventAt: z.string(),
  createdAt: z.string(),
});
export type PreviewView = z.infer<typeof previewSchema>;
export const listPreviewsResponseSchema = z.object({ previews: z.array(previewSchema) });

export const previewSettingsSchema = z.object({
  app: z.string(),
  repository: z.string(),
  maxPreviews: z.number().int(),
  idleTtlSeconds: z.number().int(),
  provider: z
    .object({
      kind: z.enum(previewProviderKinds),
      apiBaseUrl: z.string(),
      repositoryPath: z.string(),
      /** Whether a token is stored (it is never shown). */
      hasToken: z.boolean(),
    })
    .nullable(),
});
export type PreviewSettingsView = z.infer<typeof previewSettingsSchema>;

const apiBaseUrlSchema = z
  .string()
  .max(2048)
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'an http(s) URL')
  .refine((value) => {
    const url = new URL(value);
    return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  }, 'no credentials, query or fragment: the token goes in --token-stdin');

export const enablePreviewsBodySchema = z
  .object({
    /** The repository's name in the app's project (`slipway repos list`). */
    repository: dnsLabelSchema,
    maxPreviews: z.number().int().min(1).max(100).default(3),
    idleTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(90 * 86_400)
      .default(7 * 86_400),
    provider: z
      .object({
        kind: z.enum(previewProviderKinds),
        apiBaseUrl: apiBaseUrlSchema,
        repositoryPath: z
          .string()
          .min(1)
          .max(512)
          .regex(/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, 'owner/name (or a numeric project id)'),
        token: z.string().min(1).max(4096).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type EnablePreviewsBody = z.input<typeof enablePreviewsBodySchema>;
