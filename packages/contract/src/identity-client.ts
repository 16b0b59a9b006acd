/** The identity part of the typed API client: sessions (`auth`), API tokens and users. Every method rejects with a SlipwayError. */
import type { z } from 'zod';
import type { ApiTransport, RequestSpec } from './api-transport.js';
import {
  createTokenResponseSchema,
  listTokensResponseSchema,
  listUsersResponseSchema,
  rotateKeysResponseSchema,
  sessionTokensSchema,
  userSchema,
  whoamiSchema,
  type CreateTokenBody,
  type CreateUserBody,
  type GrantBody,
  type SessionTokens,
  type UserView,
  type WhoamiView,
} from './identity-api.js';

type Output<S extends z.ZodType> = z.output<S>;

export interface IdentityClient {
  auth: {
    /** POST /api/v1/auth/login — opens a session (no credential needed). */
    login(body: { username: string; password: string }): Promise<SessionTokens>;
    /** POST /api/v1/auth/refresh — exchanges a refresh token (single use) for new tokens. */
    refresh(refreshToken: string): Promise<SessionTokens>;
    /** POST /api/v1/auth/logout — ends the session of the access token in use. */
    logout(): Promise<void>;
    /** GET /api/v1/auth/whoami */
    whoami(): Promise<WhoamiView>;
    /** POST /api/v1/auth/keys/rotate (owner only) */
    rotateKeys(): Promise<Output<typeof rotateKeysResponseSchema>>;
  };
  tokens: {
    /** POST /api/v1/tokens — the secret is in this answer only. */
    create(body: CreateTokenBody): Promise<Output<typeof createTokenResponseSchema>>;
    /** GET /api/v1/tokens — the caller's tokens. */
    list(): Promise<Output<typeof listTokensResponseSchema>>;
    /** DELETE /api/v1/tokens/:id */
    revoke(id: string): Promise<void>;
  };
  users: {
    create(body: CreateUserBody): Promise<UserView>;
    list(): Promise<Output<typeof listUsersResponseSchema>>;
    /** POST /api/v1/users/:user/grants — `project` absent grants globally. */
    grant(user: string, body: GrantBody): Promise<UserView>;
    /** DELETE /api/v1/users/:user/grants — the grant on `project`, or the global one. */
    revokeGrant(user: string, options?: { project?: string | undefined }): Promise<UserView>;
    /** PUT /api/v1/users/:user/password (owner only); ends the user's sessions. */
    setPassword(user: string, body: { password: string }): Promise<void>;
  };
}

const userPath = (user: string, rest = ''): string => `/api/v1/users/${encodeURIComponent(user)}${rest}`;

export function createIdentityClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): IdentityClient {
  const post = (path: string, json: unknown = {}): RequestSpec => ({ method: 'POST', path, json });
  const noContent = async (spec: RequestSpec): Promise<void> => {
    const response = await send(spec);
    await response.body?.cancel().catch(() => undefined);
  };
  return {
    auth: {
      login: (body) => call(post('/api/v1/auth/login', body), sessionTokensSchema),
      refresh: (refreshToken) => call(post('/api/v1/auth/refresh', { refreshToken }), sessionTokensSchema),
      logout: () => noContent(post('/api/v1/auth/logout')),
      whoami: () => call({ method: 'GET', path: '/api/v1/auth/whoami' }, whoamiSchema),
      rotateKeys: () => call(post('/api/v1/auth/keys/rotate'), rotateKeysResponseSchema),
    },
    tokens: {
      create: (body) => call(post('/api/v1/tokens', body), createTokenResponseSchema),
      list: () => call({ method: 'GET', path: '/api/v1/tokens' }, listTokensResponseSchema),
      revoke: (id) => noContent({ method: 'DELETE', path: `/api/v1/tokens/${encodeURIComponent(id)}` }),
    },
    users: {
      create: (body) => call(post('/api/v1/users', body), userSchema),
      list: () => call({ method: 'GET', path: '/api/v1/users' }, listUsersResponseSchema),
      grant: (user, body) => call(post(userPath(user, '/grants'), body), userSchema),
      revokeGrant: (user, o) =>
        call({ method: 'DELETE', path: userPath(user, '/grants'), query: { project: o?.project } }, userSchema),
      setPassword: (user, body) => noContent({ method: 'PUT', path: userPath(user, '/password'), json: body }),
    },
  };
}
export type { TokenSource } from './api-transport.js';
