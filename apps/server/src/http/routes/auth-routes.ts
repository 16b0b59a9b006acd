/** Sessions: login, refresh, logout, whoami; and rotation of the keys that sign access tokens. */
import {
  loginBodySchema,
  refreshBodySchema,
  rotateKeysResponseSchema,
  sessionTokensSchema,
  whoamiSchema,
} from '@slipway/contract';
import { login, logout, refreshSession, reportSecurityEvent, whoami } from '@slipway/core';
import { actorOfRequest, requirePrincipal } from '../auth/request-principal.js';
import { authenticated, globally, publicAccess } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const authRoutes: RouteGroup<RouteContext> = {
  name: 'auth-routes',
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/auth/login',
      summary: 'Log in with a user name and password: a 15-minute access token and a single-use refresh token',
      permission: { action: 'auth.login', access: publicAccess },
      schema: { body: loginBodySchema, response: { 200: sessionTokensSchema } },
      handler: async (request, _reply, { identity }) => login(identity, request.body),
    }),
    route({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      summary: 'Exchange a refresh token for new tokens; a refresh token used twice ends the session',
      permission: { action: 'auth.refresh', access: publicAccess },
      schema: { body: refreshBodySchema, response: { 200: sessionTokensSchema } },
      handler: async (request, _reply, { identity }) => refreshSession(identity, request.body.refreshToken),
    }),
    route({
      method: 'POST',
      url: '/api/v1/auth/logout',
      summary: 'End the session of the access token in use',
      permission: { action: 'auth.logout', access: authenticated },
      schema: { response: { 204: noContent } },
      handler: async (request, reply, { identity }) => {
        await logout(identity, requirePrincipal(request));
        return reply.status(204).send();
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/auth/whoami',
      summary: 'The calling user, credential and effective roles',
      permission: { action: 'auth.whoami', access: authenticated },
      schema: { response: { 200: whoamiSchema } },
      handler: async (request, _reply, { identity }) => whoami(identity, requirePrincipal(request)),
    }),
    route({
      method: 'POST',
      url: '/api/v1/auth/keys/rotate',
      summary: 'Rotate the access-token signing key; the old one verifies until its tokens expire (owner only)',
      permission: { action: 'auth.keys.rotate', access: globally('owner') },
      schema: { response: { 200: rotateKeysResponseSchema } },
      handler: async (request, _reply, { identity }) => {
        const rotation = await identity.signer.rotate();
        request.log.info(
          { activeKeyId: rotation.activeKeyId, by: requirePrincipal(request).userName },
          'signing key rotated',
        );
        reportSecurityEvent(identity, {
          name: 'auth.signing-key.rotated',
          actor: actorOfRequest(request),
          target: { kind: 'signing-key', id: rotation.activeKeyId },
          outcome: 'success',
          details: { verificationKeyIds: [...rotation.verificationKeyIds] },
        });
        return { activeKeyId: rotation.activeKeyId, verificationKeyIds: [...rotation.verificationKeyIds] };
      },
    }),
  ],
};
