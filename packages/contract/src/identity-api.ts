/**
 * Request and response bodies of the identity routes: `/api/v1/auth` (login, refresh, logout, whoami, key rotation),
 * `/api/v1/tokens` and `/api/v1/users`. Times are ISO-8601 strings.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';
import { roleSchema } from './roles.js';

/** A user's login name: lowercase, starts with a letter; letters, digits, `.`, `_`, `-`. */
export const userNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9._-]*$/, 'must start with a letter and hold only lowercase letters, digits, ".", "_" and "-"');

export const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(1024);

export const tokenNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'must start with a letter or digit and hold letters, digits, " ._-"');

/** One grant on the wire: a role on a project, or globally when `project` is null. */
export const grantSchema = z.object({ role: roleSchema, project: z.string().nullable() });
export type GrantView = z.infer<typeof grantSchema>;

export const loginBodySchema = z.object({ username: userNameSchema, password: z.string().min(1).max(1024) }).strict();
export const refreshBodySchema = z.object({ refreshToken: z.string().min(1).max(512) }).strict();

/** A session: a short-lived access token (a JWT) and a single-use refresh token that rotates on each refresh. */
export const sessionTokensSchema = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  accessTokenExpiresAt: z.string(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.string(),
  user: z.object({ id: z.string(), name: z.string() }),
});
export type SessionTokens = z.infer<typeof sessionTokensSchema>;

/** The dashboard's session (its tokens travel in HttpOnly cookies, never in a body the page can read). */
export const webSessionSchema = z.object({
  user: z.object({ id: z.string(), name: z.string() }),
  accessTokenExpiresAt: z.string(),
  refreshTokenExpiresAt: z.string(),
});
export type WebSessionView = z.infer<typeof webSessionSchema>;

export const whoamiSchema = z.object({
  user: z.object({ id: z.string(), name: z.string() }),
  credential: z.object({
    kind: z.enum(['session', 'api-token']),
    id: z.string(),
    name: z.string().nullable(),
  }),
  /** What the caller may do: the user's grants, capped by the credential (a narrowed token). */
  grants: z.array(grantSchema),
});
export type WhoamiView = z.infer<typeof whoamiSchema>;

export const rotateKeysResponseSchema = z.object({
  activeKeyId: z.string(),
  /** Every key still accepted for verification, the active one included. */
  verificationKeyIds: z.array(z.string()),
});

export const createTokenBodySchema = z
  .object({
    name: tokenNameSchema,
    /** Narrows the token to one project. */
    project: dnsLabelSchema.optional(),
    /** Caps the token's role: its effective role is the lower of this and the user's. */
    role: roleSchema.optional(),
    /** Omit for a token that does not expire. */
    expiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(10 * 366 * 24 * 3600)
      .optional(),
  })
  .strict();

export type CreateTokenBody = z.infer<typeof createTokenBodySchema>;

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  user: z.string(),
  project: z.string().nullable(),
  role: roleSchema.nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof tokenSchema>;

/** The secret is in this answer only: it is stored hashed and cannot be shown again. */
export const createTokenResponseSchema = z.object({ token: tokenSchema, secret: z.string() });
export const listTokensResponseSchema = z.object({ tokens: z.array(tokenSchema) });
export const tokenParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  hasPassword: z.boolean(),
  grants: z.array(grantSchema),
});
export type UserView = z.infer<typeof userSchema>;

export const createUserBodySchema = z.object({ name: userNameSchema, password: passwordSchema.optional() }).strict();
export type CreateUserBody = z.infer<typeof createUserBodySchema>;
export const listUsersResponseSchema = z.object({ users: z.array(userSchema) });
export const userParamsSchema = z.object({ user: userNameSchema });
export const setPasswordBodySchema = z.object({ password: passwordSchema }).strict();

/** Grant `role` on `project`, or globally when `project` is absent. Granting replaces the user's role there. */
export const grantBodySchema = z.object({ role: roleSchema, project: dnsLabelSchema.optional() }).strict();
/** Which grant to revoke: the one on `project`, or the global one when `project` is absent. */
export const revokeGrantQuerySchema = z.object({ project: dnsLabelSchema.optional() });
export type GrantBody = z.infer<typeof grantBodySchema>;
