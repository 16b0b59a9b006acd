/** The identity operations of the OpenAPI document (sessions, tokens, users), and how each operation's access shows in it. */
import {
  createTokenBodySchema,
  createTokenResponseSchema,
  createUserBodySchema,
  grantBodySchema,
  listTokensResponseSchema,
  listUsersResponseSchema,
  loginBodySchema,
  refreshBodySchema,
  rotateKeysResponseSchema,
  sessionTokensSchema,
  setPasswordBodySchema,
  userSchema,
  whoamiSchema,
} from '@slipway/contract';
import { findRoutePermission } from './auth/route-permissions.js';
import type { Operation } from './openapi.js';

export const identityOperations: Operation[] = [
  {
    method: 'post',
    path: '/api/v1/auth/login',
    summary: 'Log in with a user name and password: a 15-minute access token and a single-use refresh token',
    body: loginBodySchema,
    ok: 200,
    response: sessionTokensSchema,
  },
  {
    method: 'post',
    path: '/api/v1/auth/refresh',
    summary: 'Exchange a refresh token for new tokens; a refresh token used twice ends the session',
    body: refreshBodySchema,
    ok: 200,
    response: sessionTokensSchema,
  },
  { method: 'post', path: '/api/v1/auth/logout', summary: 'End the session of the access token in use', ok: 204 },
  {
    method: 'get',
    path: '/api/v1/auth/whoami',
    summary: 'The calling user, credential and effective roles',
    ok: 200,
    response: whoamiSchema,
  },
  {
    method: 'post',
    path: '/api/v1/auth/keys/rotate',
    summary: 'Rotate the access-token signing key; the old one verifies until its tokens expire (owner only)',
    ok: 200,
    response: rotateKeysResponseSchema,
  },
  {
    method: 'post',
    path: '/api/v1/tokens',
    summary: 'Create an API token of the calling user; the secret is in this answer only',
    body: createTokenBodySchema,
    ok: 201,
    response: createTokenResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/tokens',
    summary: "The calling user's API tokens",
    ok: 200,
    response: listTokensResponseSchema,
  },
  { method: 'delete', path: '/api/v1/tokens/{id}', summary: 'Revoke an API token at once', ok: 204 },
  {
    method: 'post',
    path: '/api/v1/users',
    summary: 'Create a user',
    body: createUserBodySchema,
    ok: 201,
    response: userSchema,
  },
  {
    method: 'get',
    path: '/api/v1/users',
    summary: 'List users and their roles',
    ok: 200,
    response: listUsersResponseSchema,
  },
  {
    method: 'post',
    path: '/api/v1/users/{user}/grants',
    summary: 'Grant a role on a project, or globally (admin, owner); replaces the role there',
    body: grantBodySchema,
    ok: 200,
    response: userSchema,
  },
  {
    method: 'delete',
    path: '/api/v1/users/{user}/grants',
    summary: "Revoke the user's role on a project, or the global one",
    ok: 200,
    response: userSchema,
    query: { project: 'The project (absent: the global role)' },
  },
  {
    method: 'put',
    path: '/api/v1/users/{user}/password',
    summary: "Set a user's password; ends the user's sessions (owner only)",
    body: setPasswordBodySchema,
    ok: 204,
  },
];

/** Who may call the operation, from the permission table: no security for public routes, else the bearer scheme and the rule. */
export function accessOf(op: Pick<Operation, 'method' | 'path'>): Record<string, unknown> {
  const permission = findRoutePermission(op.method.toUpperCase(), op.path.replace(/\{(\w+)\}/g, ':$1'));
  if (permission === undefined || permission.access.kind === 'public') return { security: [] };
  const { access } = permission;
  return {
    'x-slipway-action': permission.action,
    'x-slipway-access': 'minimumRole' in access ? `${access.minimumRole} (${access.kind})` : access.kind,
  };
}
