/**
 * Git repositories of a project (`slipway repos`): a clone URL and how Slipway authenticates to it — a deploy key it
 * generates (only the public half is ever shown) or a token (never shown again) — or nothing, for a public one.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';

export const repositoryProviderNames = ['github', 'gitlab', 'gitea', 'bitbucket', 'hosted', 'generic'] as const;

export const repositoryProjectParamsSchema = z.object({ project: dnsLabelSchema });
/** `:repository` is the repository's name in the project or its id (`repo_…`). */
export const repositoryParamsSchema = z.object({
  project: dnsLabelSchema,
  repository: z.string().min(1).max(100),
});

/** A clone URL: `https://…`, `ssh://…` or `user@host:path`; credentials in an https URL move into the sealed token. */
export const repositoryUrlSchema = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[\x21-\x7e]+$/, 'a clone URL has no spaces or control characters')
  .refine((url) => !url.startsWith('-'), 'a clone URL does not start with "-"');

export const repositoryAuthSchema = z.discriminatedUnion('kind', [
  /** Slipway generates an ed25519 deploy key; add its public half (in the answer) to the host. */
  z.object({ kind: z.literal('ssh-key') }).strict(),
  /** HTTP Basic with the token as password; `username` defaults to what the provider expects. */
  z
    .object({
      kind: z.literal('token'),
      token: z.string().min(1).max(4096),
      username: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[^:\s]+$/)
        .optional(),
    })
    .strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);
export type RepositoryAuthBody = z.infer<typeof repositoryAuthSchema>;

export const addRepositoryBodySchema = z
  .object({
    name: dnsLabelSchema,
    url: repositoryUrlSchema,
    /** Default: from the URL's host (github.com, gitlab.com, bitbucket.org), else `generic`. */
    provider: z.enum(repositoryProviderNames).exclude(['hosted']).optional(),
    /** Default: `ssh-key` for an ssh URL, `token` when an https URL carries credentials, else `none`. */
    auth: repositoryAuthSchema.optional(),
  })
  .strict();
export type AddRepositoryBody = z.infer<typeof addRepositoryBodySchema>;

/** Replaces a repository's credentials in place: a new token, a newly generated deploy key, or none. */
export const setRepositoryCredentialsBodySchema = z.object({ auth: repositoryAuthSchema }).strict();
export type SetRepositoryCredentialsBody = z.infer<typeof setRepositoryCredentialsBodySchema>;

export const repositorySchema = z.object({
  id: z.string(),
  project: z.string(),
  name: z.string(),
  provider: z.enum(repositoryProviderNames),
  /** Never with credentials. */
  url: z.string(),
  auth: z.enum(['ssh-key', 'token', 'none']),
  /** The deploy key's public half (`ssh-ed25519 … slipway-<id>`), to add to the host as a read-only deploy key. */
  publicKey: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RepositoryView = z.infer<typeof repositorySchema>;
export const listRepositoriesResponseSchema = z.object({ repositories: z.array(repositorySchema) });
